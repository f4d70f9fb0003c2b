/**
 * Figures of a run in one line, and the percentile helper the soak uses.
 *
 * @module
 */
import type { ChaosReport } from './chaos.js'

/** The `q`-quantile (0..1) of `values` (nearest rank); 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
}

/** One line: what was submitted and settled, deaths and collateral, p99 latency, violations. */
export function summarize(report: ChaosReport): string {
  const kills =
    report.kills === undefined
      ? ''
      : `, ${String(report.kills.kills)} SIGKILLs (${String(report.kills.killsWhileStarting)} while starting)`
  return [
    `${report.backend} seed ${String(report.seed)}: ${String(report.settled)}/${String(report.submitted)} settled`,
    `${String(report.fulfilled)} fulfilled, ${String(report.ownErrors)} own errors, ${String(report.cancelled)} cancelled, ${String(report.abortedRejections)} aborted`,
    `${String(report.deaths)} worker deaths${kills}, ${String(report.deathFailures)} death failures, ${String(report.collateral)} collateral${report.killRaces > 0 ? ` (${String(report.killRaces)} kill races)` : ''}`,
    `p99 ${quantile(report.latencies, 0.99).toFixed(1)} ms`,
    `${String(report.violations.length)} violations`,
  ].join('; ')
}
