/**
 * The judge of a chaos run: given what was submitted, how each future ended, the start log and
 * the backend's death errors, it lists every broken promise of the contract:
 *
 * - a future that never settled, or whose done-callbacks ran more than once;
 * - a healthy call whose value is wrong, a failing call that fulfilled, an outcome that matches
 *   nothing the call could do (a cancel nobody asked for, a foreign error);
 * - a death error on a call that never started (collateral damage: work sent ahead and lost
 *   with the worker), or naming another worker than the one it started in;
 * - more death errors for one worker than calls that were running in it;
 * - a call that started more than once.
 *
 * One gap is no pool's to close: a kill from outside (SIGKILL) can land in the microseconds
 * between a worker starting a call and the call's first log line, or between its last log line
 * and its result leaving the worker. A dead worker that the log shows idle may therefore fail
 * ONE call (one that had not logged yet, or one that had logged its end) when a SIGKILL ended
 * it; such failures are counted in `killRaces`, not as violations. Anything beyond that (two
 * calls from an idle worker, or one more than were running in a busy one) is collateral. A
 * worker that runs several calls at once (`slotsPerWorker`: an x-worker's concurrency) may race
 * once per slot the log shows free.
 *
 * @module
 */
import type { ChaosAction } from '../fixtures/chaos-tasks.mjs'
import type { ChaosBackend } from './backend.js'
import type { CallTrace } from './start-log.js'

/** How a future ended, read once it was done. */
export type Outcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'unsettled' }

/** One submitted call and everything done to it. */
export interface CallRecord {
  readonly id: number
  readonly action: ChaosAction
  /** `cancel()` was called and returned true. */
  cancelAccepted: boolean
  /** Its signal was aborted (with `abortReason`). */
  abortReason: Error | undefined
  /** `shutdown({ cancelFutures: true })` was called while it was not done. */
  shutdownCancel: boolean
  /** How many times its done-callback ran (must end at exactly 1). */
  settleCount: number
  submittedAt: number
  settledAt: number
  outcome: Outcome
}

/** The figures and the violations of one run. */
export interface Verdict {
  fulfilled: number
  ownErrors: number
  cancelled: number
  abortedRejections: number
  /** Futures failed with a death error. */
  deathFailures: number
  /** Of those, calls that were healthy (`ok`, `throw`, `listen`): killed with their worker by something else. */
  collateral: number
  unsettled: number
  doubleSettled: number
  /** Death failures explained by a SIGKILL landing between a worker's bookkeeping and a call's log lines (see above). */
  killRaces: number
  violations: string[]
}

const deadly = new Set<ChaosAction>(['exit', 'uncaught', 'oom'])

/** The abort reason itself, or its copy thrown back by the task from inside its worker. */
function sameAbort(error: unknown, reason: Error): boolean {
  return error === reason || (error instanceof Error && error.name === reason.name && error.message === reason.message)
}

/** Describes an error in one line for a violation message. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message.split('\n')[0] ?? ''}`
  }
  return `non-error ${typeof error} ${String(error)}`
}

/** Judges a finished run. `expected(id)` is the value a healthy call returns. */
export function judge(
  records: readonly CallRecord[],
  starts: ReadonlyMap<number, CallTrace>,
  backend: ChaosBackend,
  expected: (id: number) => unknown,
): Verdict {
  const verdict: Verdict = {
    fulfilled: 0,
    ownErrors: 0,
    cancelled: 0,
    abortedRejections: 0,
    deathFailures: 0,
    collateral: 0,
    unsettled: 0,
    doubleSettled: 0,
    killRaces: 0,
    violations: [],
  }
  const bad = (record: CallRecord, what: string): void => {
    verdict.violations.push(`call ${String(record.id)} (${record.action}): ${what}`)
  }
  const deathsByWorker = new Map<number, number>()
  /** Calls that failed with a death error but never logged a start, by the worker the error names. */
  const unlogged = new Map<number, { record: CallRecord; error: unknown }[]>()
  /** Whether a SIGKILL (from outside) ended the worker, by pid. */
  const sigkilled = new Set<number>()
  for (const record of records) {
    const start = starts.get(record.id)
    if (record.settleCount > 1) {
      verdict.doubleSettled++
      bad(record, `settled ${String(record.settleCount)} times`)
    }
    if ((start?.runs ?? 1) > 1) bad(record, `ran ${String(start?.runs)} times (at most once was promised)`)
    const { outcome } = record
    switch (outcome.kind) {
      case 'unsettled':
        verdict.unsettled++
        bad(record, `never settled (started: ${start === undefined ? 'no' : 'yes'})`)
        break
      case 'cancelled':
        verdict.cancelled++
        if (!record.cancelAccepted && record.abortReason === undefined && !record.shutdownCancel)
          bad(record, 'cancelled, but nobody cancelled it')
        if (start !== undefined) bad(record, 'cancelled, yet the call ran')
        break
      case 'value':
        verdict.fulfilled++
        if (record.cancelAccepted) bad(record, 'cancel() returned true, yet it fulfilled')
        if (record.action !== 'ok' && record.action !== 'listen' && record.action !== 'stubborn')
          bad(record, `fulfilled with ${String(outcome.value)}, but the call cannot succeed`)
        else if (outcome.value !== expected(record.id))
          bad(record, `fulfilled with ${String(outcome.value)}, expected ${String(expected(record.id))}`)
        break
      case 'error': {
        const { error } = outcome
        if (record.cancelAccepted) bad(record, `cancel() returned true, yet it failed with ${describe(error)}`)
        if (backend.isDeath(error)) {
          verdict.deathFailures++
          if (!deadly.has(record.action)) verdict.collateral++
          const worker = backend.deadWorker?.(error)
          const abrupt = backend.abrupt?.(error) ?? (error as { signal?: unknown }).signal === 'SIGKILL'
          if (worker !== undefined && abrupt) sigkilled.add(worker)
          if (start === undefined) {
            if (worker === undefined) bad(record, `failed with a death error, but the call never started: ${describe(error)}`)
            else unlogged.set(worker, [...(unlogged.get(worker) ?? []), { record, error }])
            break
          }
          if (worker !== undefined && worker !== start.pid)
            bad(record, `death error names pid ${String(worker)}, but the call ran in pid ${String(start.pid)}`)
          const key = worker ?? -1
          deathsByWorker.set(key, (deathsByWorker.get(key) ?? 0) + 1)
        } else if (record.abortReason !== undefined && sameAbort(error, record.abortReason)) {
          verdict.abortedRejections++
        } else if (
          record.action === 'throw' &&
          error instanceof RangeError &&
          error.message === `planned failure of task ${String(record.id)}` &&
          (error as { code?: unknown }).code === 'E_PLANNED'
        ) {
          verdict.ownErrors++
        } else {
          bad(record, `failed with an unexpected error: ${describe(error)}`)
        }
        break
      }
    }
  }
  // No worker may fail more futures than the calls that were running in it.
  // When death errors name their worker, a call counts as running in it when it died only if its
  // own death error names it (a call that ended otherwise, say its thread died inside a live
  // x-worker, was not running there when that process died later).
  const byId = new Map(records.map((r) => [r.id, r]))
  const runningIn = new Map<number, number>()
  for (const [id, trace] of starts) {
    if (trace.ended) continue
    runningIn.set(-1, (runningIn.get(-1) ?? 0) + 1)
    const outcome = byId.get(id)?.outcome
    const named = outcome?.kind === 'error' && backend.isDeath(outcome.error) ? backend.deadWorker?.(outcome.error) : undefined
    if (backend.deadWorker !== undefined && named !== trace.pid) continue
    runningIn.set(trace.pid, (runningIn.get(trace.pid) ?? 0) + 1)
  }
  // A worker that died abruptly may have been between starting a call and its first log line,
  // or between a call's last log line and its result leaving, in each of its free slots.
  const slots = backend.slotsPerWorker ?? 1
  for (const worker of new Set([...unlogged.keys(), ...deathsByWorker.keys()])) {
    const calls = unlogged.get(worker) ?? []
    const failures = deathsByWorker.get(worker) ?? 0
    const running = runningIn.get(worker) ?? 0
    const races = calls.length + Math.max(0, failures - running)
    if (races > 0 && worker !== -1 && sigkilled.has(worker) && races <= Math.max(0, slots - running)) {
      verdict.killRaces += races
      continue
    }
    for (const { record, error } of calls) bad(record, `failed with a death error, but the call never started: ${describe(error)}`)
    if (failures > running)
      verdict.violations.push(
        `${worker === -1 ? 'the dead workers' : `worker pid ${String(worker)}`} failed ${String(failures)} futures with a death error, but only ${String(running)} calls were running in it`,
      )
  }
  return verdict
}
