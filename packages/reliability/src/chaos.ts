/**
 * One chaos run: a seeded stream of calls on one executor, some healthy, some that throw, exit
 * their worker, throw uncaught, run it out of memory, or wait to be aborted; random `cancel()`s
 * and aborts; optionally SIGKILLs from outside (process backends) and a `shutdown()` in the
 * middle. Then it checks that every future settled exactly once with an outcome its call could
 * have, that the executor still serves, and that nothing is left after `shutdown()`.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { setTimeout as delay } from 'node:timers/promises'
import { channelNames, task } from '@x/future'
import type { Future, WorkerExitEvent } from '@x/future'
import type * as Tasks from '../fixtures/chaos-tasks.mjs'
import type { ChaosAction } from '../fixtures/chaos-tasks.mjs'
import type { ChaosBackend } from './backend.js'
import { startKiller } from './killer.js'
import type { KillPlan, KillStats } from './killer.js'
import { Random } from './random.js'
import { leftovers, resourceCounts, within } from './resources.js'
import { StartLog } from './start-log.js'
import { describe, judge } from './verdict.js'
import type { CallRecord, Verdict } from './verdict.js'

const tasksUrl = new URL('../fixtures/chaos-tasks.mjs', import.meta.url)
/** The chaos call, run inside the workers. */
export const chaosTask = task<typeof Tasks.chaos>(tasksUrl, 'chaos')
/** A healthy call returning `expectedValue(id)`. */
export const echoTask = task<typeof Tasks.echo>(tasksUrl, 'echo')

/** The value healthy call `id` returns (the same function the fixture runs). */
export function expectedValue(id: number): string {
  return `v${String(id)}:${String((id * 2654435761) % 4294967296)}`
}

/** Relative weights of the call kinds. */
export type ChaosMix = Record<ChaosAction, number>

/** The default mix: mostly healthy calls, a few percent of each kind of trouble. */
export const defaultMix: Readonly<ChaosMix> = { ok: 80, throw: 8, exit: 3, uncaught: 1, oom: 0.3, listen: 4, stubborn: 2 }

/** What to run. */
export interface ChaosOptions {
  readonly backend: ChaosBackend
  readonly seed: number
  /** Calls to submit. */
  readonly calls: number
  readonly maxWorkers?: number
  /** Most futures outstanding at once (default 8 × maxWorkers). */
  readonly inFlight?: number
  readonly mix?: Partial<ChaosMix>
  /** Duration of a call, ms, drawn from [min, max]. */
  readonly callMs?: readonly [number, number]
  /** Share of healthy calls that spin synchronously instead of waiting on a timer. */
  readonly syncShare?: number
  /** Share of calls cancelled at a random moment. */
  readonly cancelShare?: number
  /** Share of `listen`/`stubborn` calls whose signal is aborted at a random moment. */
  readonly abortShare?: number
  /** SIGKILLs from outside (process backends only). */
  readonly kill?: KillPlan
  /** Call shutdown({ wait: false, cancelFutures: random }) after this many calls, and check that later submits are refused. */
  readonly shutdownAfter?: number
  readonly heapLimitMb?: number
  readonly abortGracePeriod?: number
  /** How long the futures get to settle, ms (default 120,000). */
  readonly settleMs?: number
  /** Called as each call is submitted (the soak's live figures). */
  readonly onSubmitted?: () => void
  /** Called with each call's submit-to-settle time, in ms, as it settles (the soak's live figures). */
  readonly onSettled?: (latencyMs: number) => void
  /** Stop submitting when this aborts (the run still settles, checks and shuts down). */
  readonly stop?: AbortSignal
}

/** Everything a run measured, and every violation it found. */
export interface ChaosReport extends Verdict {
  readonly backend: string
  readonly seed: number
  readonly submitted: number
  readonly settled: number
  /** Worker deaths the executor reported (`worker:exit` events). */
  readonly deaths: number
  readonly kills: KillStats | undefined
  /** Submit-to-settle times, ms, of the settled futures. */
  readonly latencies: number[]
  /** Calls that went through after the chaos (the executor still serves). */
  readonly servedAfter: number
  /** What was left after shutdown (resources, live worker processes). */
  readonly leftovers: string[]
}

/** Runs the chaos and returns its report; `report.violations` is empty when every promise held. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { backend, seed } = options
  const random = new Random(seed)
  const maxWorkers = options.maxWorkers ?? 2
  const inFlight = options.inFlight ?? 8 * maxWorkers
  const mix: ChaosMix = { ...defaultMix, ...options.mix }
  for (const action of backend.never ?? []) mix[action] = 0
  const [minMs, maxMs] = options.callMs ?? [0, 5]
  const log = new StartLog()
  const baseline = resourceCounts()
  const violations: string[] = []
  const records: CallRecord[] = []
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  const executor = await backend.create({
    maxWorkers,
    heapLimitMb: options.heapLimitMb ?? 64,
    abortGracePeriod: options.abortGracePeriod ?? 100,
  })
  let deaths = 0
  const onExit = (message: unknown): void => {
    if ((message as WorkerExitEvent).executorId === executor.id) deaths++
  }
  diagnosticsChannel.subscribe(channelNames.workerExit, onExit)
  const stopKiller = new AbortController()
  const killer =
    options.kill !== undefined && backend.pids !== undefined
      ? startKiller(() => backend.pids?.(executor) ?? [], () => log.pids(), options.kill, new Random(seed ^ 0x5bd1e995), stopKiller.signal)
      : undefined

  let outstanding = 0
  let wake: (() => void) | undefined
  const calls: { record: CallRecord; future: Future<string> }[] = []
  let shutDown = false
  try {
    for (let id = 0; id < options.calls && options.stop?.aborted !== true; id++) {
      while (outstanding >= inFlight) await new Promise<void>((resolve) => (wake = resolve))
      if (options.shutdownAfter === id) {
        const cancelFutures = random.chance(0.5)
        if (cancelFutures) for (const r of records) if (r.settleCount === 0) r.shutdownCancel = true
        void executor.shutdown({ wait: false, cancelFutures })
        shutDown = true
        try {
          executor.submit(echoTask, id)
          violations.push('submit() after shutdown() did not throw')
        } catch (error) {
          if (!(error instanceof Error) || error.message !== 'cannot schedule new futures after shutdown')
            violations.push(`submit() after shutdown() threw ${describe(error)}`)
        }
        break
      }
      const action = random.weighted(mix)
      const ms = random.int(minMs, maxMs) * (action === 'stubborn' || action === 'listen' ? 20 : 1)
      const sync = action === 'ok' && random.chance(options.syncShare ?? 0.5)
      const record: CallRecord = {
        id,
        action,
        cancelAccepted: false,
        abortReason: undefined,
        shutdownCancel: false,
        settleCount: 0,
        submittedAt: performance.now(),
        settledAt: 0,
        outcome: { kind: 'unsettled' },
      }
      const aborts = (action === 'listen' || action === 'stubborn') && random.chance(options.abortShare ?? 0.7)
      const controller = aborts ? new AbortController() : undefined
      let future: Future<string>
      try {
        future = executor.submitWith(
          controller === undefined ? { name: `chaos ${String(id)}` } : { name: `chaos ${String(id)}`, signal: controller.signal },
          chaosTask,
          id,
          action,
          ms,
          sync,
          log.path,
        )
      } catch (error) {
        violations.push(`submit() of call ${String(id)} threw ${describe(error)}`)
        break
      }
      records.push(record)
      calls.push({ record, future })
      options.onSubmitted?.()
      outstanding++
      future.addDoneCallback(() => {
        record.settleCount++
        if (record.settleCount > 1) return
        record.settledAt = performance.now()
        options.onSettled?.(record.settledAt - record.submittedAt)
        outstanding--
        const resume = wake
        wake = undefined
        resume?.()
      })
      if (controller !== undefined) {
        const reason = Object.assign(new Error(`abort ${String(id)}`), { name: 'AbortError' })
        later(random.int(0, ms * 2), () => {
          if (!future.done()) record.abortReason = reason
          controller.abort(reason)
        })
      }
      if (random.chance(options.cancelShare ?? 0.03)) {
        const cancel = (): void => {
          if (future.cancel() && !future.done()) violations.push(`call ${String(id)}: cancel() returned true but the future is not done`)
          else if (future.cancelled()) record.cancelAccepted = true
        }
        if (random.chance(0.5)) cancel()
        else later(random.int(0, 20), cancel)
      }
    }
    // Every future must settle.
    const deadline = Date.now() + (options.settleMs ?? 120_000)
    while (outstanding > 0 && Date.now() < deadline) await delay(20)
  } finally {
    stopKiller.abort()
    await killer?.done
    for (const timer of timers) clearTimeout(timer)
  }

  // The executor still serves (unless the run shut it down).
  let servedAfter = 0
  if (!shutDown) {
    const checks: Future<string>[] = []
    try {
      for (let i = 0; i < 2 * maxWorkers; i++) checks.push(executor.submit(echoTask, 1_000_000 + i))
    } catch (error) {
      violations.push(`after the chaos, submit() threw ${describe(error)}`)
    }
    for (const [i, check] of checks.entries()) {
      try {
        const value = await check.result(60_000)
        if (value === expectedValue(1_000_000 + i)) servedAfter++
        else violations.push(`after the chaos, echo ${String(i)} returned ${value}`)
      } catch (error) {
        violations.push(`after the chaos, echo ${String(i)} failed: ${describe(error)}`)
      }
    }
  }
  const shutdown = executor.shutdown({ wait: true })
  if (!(await within(shutdown, 60_000))) violations.push('shutdown({ wait: true }) did not resolve within 60 s')
  deaths += backend.deaths?.(executor) ?? 0
  if (backend.dispose !== undefined) violations.push(...(await backend.dispose(executor)).map((what) => `after shutdown: ${what}`))
  diagnosticsChannel.unsubscribe(channelNames.workerExit, onExit)

  // Read every outcome.
  for (const { record, future } of calls) {
    if (!future.done()) continue
    if (future.cancelled()) record.outcome = { kind: 'cancelled' }
    else {
      const error = await future.exception(0)
      record.outcome =
        error === undefined && future.state === 'FINISHED'
          ? { kind: 'value', value: await future.result(0) }
          : { kind: 'error', error }
    }
  }
  const starts = log.read()
  const verdict = judge(records, starts, backend, expectedValue)
  const pids = new Set<number>(killer?.stats.seen)
  for (const trace of starts.values()) if (trace.pid !== process.pid) pids.add(trace.pid)
  const left = await leftovers(baseline, pids)
  log.remove()
  return {
    ...verdict,
    violations: [...violations, ...verdict.violations, ...left.map((what) => `left after shutdown: ${what}`)],
    backend: backend.name,
    seed,
    submitted: records.length,
    settled: records.filter((r) => r.settleCount > 0).length,
    deaths,
    kills: killer?.stats,
    latencies: records.filter((r) => r.settleCount > 0).map((r) => r.settledAt - r.submittedAt),
    servedAfter,
    leftovers: left,
  }
}
