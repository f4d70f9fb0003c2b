// The deadlock detector on ThreadPoolExecutor and ProcessPoolExecutor: the seed's examples and
// the deadlock.md §4 scenarios that need real workers. Tasks run in worker threads / child
// processes; their waits reach the detector through the pools' forwarding of wait:start, and the
// DeadlockError reaches the waiting task through serializeError/deserializeError.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future, channelNames } from '@x/future'
import type { Executor, WorkerExitEvent } from '@x/future'
import { detectDeadlocks, formatReport, isDeadlockError } from '@x/diagnostics'
import type { DeadlockDetector, DeadlockReport } from '@x/diagnostics'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { ProcessPoolExecutor } from '@x/process-pool'
import { collectReports, failure, fixture, guard } from './helpers.js'

type Make = (options: { maxWorkers: number; name: string }) => Executor

const backends: [string, Make][] = [
  ['ThreadPoolExecutor', (options) => new ThreadPoolExecutor(options)],
  ['ProcessPoolExecutor', (options) => new ProcessPoolExecutor(options)],
]

describe.each(backends)('%s', (_, make) => {
  let detector: DeadlockDetector | undefined
  let collected: ReturnType<typeof collectReports>
  const executors: Executor[] = []
  const pool = (maxWorkers: number, name: string): Executor => {
    const executor = make({ maxWorkers, name })
    executors.push(executor)
    return executor
  }

  beforeEach(() => {
    collected = collectReports()
  })

  afterEach(async () => {
    collected.close()
    detector?.stop()
    detector = undefined
    await guard(Promise.all(executors.splice(0).map((e) => e.shutdown({ cancelFutures: true }))), 20_000, 'shutdown')
  })

  it('seed starvation (maxWorkers 1, a task awaits its own subtask): fails fast with a DeadlockError naming the starved pool', async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const outer = cpu.submit(fixture('wait_on_future'))
    const error = await failure(outer)
    expect(isDeadlockError(error)).toBe(true)
    const report = (error as Error & { report: DeadlockReport }).report
    expect(report.kind).toBe('starvation')
    expect(report.summary).toBe('pool starvation in cpu (1/1 slots, all held by blocked tasks)')
    expect(report.executors.filter((e) => e.role === 'core').map((e) => e.name)).toEqual(['cpu'])
    expect(report.tasks.map((t) => [t.name, t.state])).toEqual([
      ['wait_on_future', 'running'],
      ['pow', 'queued'],
    ])
    // where the wait happened: inside the worker, in the task module
    expect(report.waits.find((w) => w.victim)?.stack).toContain('wait_on_future')
    expect(formatReport(report)).toContain('Hint: a task waits for work queued')
    // 19 (adapted to an async wait): the pool stays usable
    expect(await guard(cpu.submit(fixture('pow'), 2, 10).result(), 15_000, 'pow')).toBe(1024)
  })

  it('across executors: a main-thread task awaiting the starved pool is a tail of the report and gets the error', async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const local = new AsyncPoolExecutor({ maxWorkers: 1, name: 'local' })
    try {
      let outer: Future<number> | undefined
      const waiter = local.submitWith({ name: 'waiter' }, async () => {
        outer = cpu.submitWith({ name: 'outer' }, fixture('wait_on_future'))
        return await outer.result()
      })
      const error = await failure(waiter)
      expect(isDeadlockError(error)).toBe(true)
      const report = (error as Error & { report: DeadlockReport }).report
      expect(report.tasks.map((t) => [t.name, t.role])).toEqual([
        ['waiter', 'tail'],
        ['outer', 'core'],
        ['pow', 'core'],
      ])
      expect(report.executors.map((e) => [e.name, e.role])).toEqual([
        ['cpu', 'core'],
        ['local', 'other'],
      ])
      expect(outer?.id).toBe(report.victimTaskId)
    } finally {
      await local.shutdown()
    }
  })

  it('inside the worker the await rejects with the DeadlockError, name, code and report kept', async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const seen = await guard(cpu.submit(fixture('wait_on_future_catching')).result(), 15_000, 'task')
    expect(seen).toEqual({ caught: 'DeadlockError', code: 'ERR_DEADLOCK', kind: 'starvation', isError: true })
  })

  it("seed starvation completes under 'compensate' (one lent worker, given back)", async () => {
    detector = detectDeadlocks({ onDeadlock: 'compensate' })
    const cpu = pool(1, 'cpu')
    expect(await guard(cpu.submit(fixture('wait_on_future')).result(), 15_000, 'outer')).toBe(25)
    expect(collected.reports.map((r) => [r.kind, r.action])).toEqual([['starvation', 'compensate']])
    expect(detector.snapshot().executors.find((e) => e.name === 'cpu')?.lent).toBe(0)
  })

  it("'compensate' past the pool's lending cap throws, and the report says why", async () => {
    detector = detectDeadlocks({ onDeadlock: 'compensate' })
    const cpu = pool(1, 'cpu')
    // depth 3 on one worker needs 2 lent workers; these pools lend at most maxWorkers (1).
    const error = await failure(cpu.submit(fixture('nest'), 3))
    expect(isDeadlockError(error)).toBe(true)
    const report = (error as Error & { report: DeadlockReport }).report
    expect([report.kind, report.action, report.note]).toEqual([
      'starvation',
      'throw',
      'cpu could not lend an extra worker (not supported by this executor, or its cap is reached)',
    ])
  })

  it('seed cycle (adapted): a future passed to a pool is a dependency, awaited before the call runs, so the cycle cannot be written; one nested in an argument is refused, saying to pass it at top level', async () => {
    detector = detectDeadlocks()
    const io = pool(2, 'io')
    const a = new Future<number>({ name: 'a' })
    expect(() => io.submit(fixture('pow'), { base: a } as unknown as number, 2)).toThrow(/is a Future inside an argument: pass it at top level/)
    // b waits for a without holding a worker; a cycle would need a to wait for b, which does not exist yet
    const b = io.submit(fixture('pow'), a, 2)
    expect(b.state).toBe('PENDING')
    a.setRunningOrNotifyCancel()
    a.setResult(3)
    expect(await guard(b.result(), 15_000, 'b')).toBe(9)
    expect(collected.reports).toEqual([])
  })

  it('11. a wait with a timeout is never reported: the task sees TimeoutError', async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    expect(await guard(cpu.submit(fixture('wait_on_future_timed'), 50).result(), 15_000, 'timed')).toBe('TimeoutError')
    expect(collected.reports).toEqual([])
  })

  it('5. fork-join with a free worker is never reported', async () => {
    detector = detectDeadlocks()
    const wide = pool(3, 'wide')
    expect(await guard(wide.submit(fixture('forkJoin'), 2, 20).result(), 15_000, 'forkJoin')).toBe(1)
    expect(collected.reports).toEqual([])
  })

  it('20. a worker dies while its pool is full and another task waits: worker:exit, no DeadlockError, the waiter completes', async () => {
    detector = detectDeadlocks()
    const exits: WorkerExitEvent[] = []
    const onExit = (message: unknown): void => {
      exits.push(message as WorkerExitEvent)
    }
    diagnosticsChannel.subscribe(channelNames.workerExit, onExit)
    try {
      const pair = pool(2, 'pair')
      const dying = pair.submitWith({ name: 'dying' }, fixture('exitLater'), 300, 3)
      const waiter = pair.submitWith({ name: 'waiter' }, fixture('wait_on_future'))
      expect(await guard(waiter.result(), 20_000, 'waiter')).toBe(25)
      expect(await failure(dying)).toBeInstanceOf(Error)
      expect(exits.map((e) => e.futureIds)).toContainEqual([dying.id])
      expect(collected.reports).toEqual([])
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.workerExit, onExit)
    }
  })

  it('16. shutdown({ wait: true }) from inside a task: rejected with "cannot join current thread", reported as shutdown-from-task; wait: false is fine', async () => {
    const reports: DeadlockReport[] = []
    detector = detectDeadlocks({ onDeadlock: (report) => reports.push(report) })
    const own = pool(2, 'own')
    const closer = own.submitWith({ name: 'closer' }, fixture('shutdownOwn'), true)
    const error = await failure(closer)
    expect((error as Error).message).toContain('cannot join current thread')
    expect(reports.map((r) => [r.kind, r.victimTaskId])).toEqual([['shutdown-from-task', closer.id]])
    const own2 = pool(2, 'own2')
    expect(await guard(own2.submit(fixture('shutdownOwn'), false).result(), 15_000, 'wait: false')).toBe('shut down')
  })

  it('23 (scaled) and stress. 1,000 fork-join tasks from a bounded main-thread pool, detector on: no report, all complete', async () => {
    detector = detectDeadlocks()
    const workers = pool(6, 'workers')
    const roots = new AsyncPoolExecutor({ maxWorkers: 3, name: 'roots' })
    try {
      const jobs = Array.from({ length: 200 }, (_, i) => roots.submit(async () => await workers.submit(fixture('forkJoin'), 4, i % 3).result()))
      const sums = await guard(Promise.all(jobs.map((job) => job.result())), 25_000, 'fork-join')
      expect(sums).toEqual(Array.from({ length: 200 }, () => 6))
      expect(collected.reports).toEqual([])
    } finally {
      await roots.shutdown()
    }
  })

  it('a burst of 5,000 tiny tasks awaited from the main thread (W1 with the detector on): no report, and the graph is empty afterwards', async () => {
    detector = detectDeadlocks()
    const workers = pool(2, 'burst')
    const futures = Array.from({ length: 5_000 }, (_, i) => workers.submit(fixture('pow'), i % 7, 2))
    const squares = await guard(Promise.all(futures), 25_000, 'burst')
    expect(squares).toEqual(Array.from({ length: 5_000 }, (_, i) => (i % 7) ** 2))
    expect(collected.reports).toEqual([])
    const after = detector.snapshot()
    expect([after.tasks, after.waits, after.executors.flatMap((executor) => executor.slots)]).toEqual([[], [], []])
  })
})

describe('17. process-pool re-entrancy (Python: "Calling Executor or Future methods from a callable submitted to a ProcessPoolExecutor will result in deadlock")', () => {
  let detector: DeadlockDetector | undefined
  afterEach(() => {
    detector?.stop()
    detector = undefined
  })

  it('(a) an Executor, or a Future inside an argument, is refused at submit() with a TypeError (a Future as an argument itself is a dependency); (b, adapted) currentTask().executor in a child is supported nested work; (c) a fresh executor in a child works. (d) not applicable: the API has no nesting-depth limit', async () => {
    detector = detectDeadlocks()
    const collected = collectReports()
    const processes = new ProcessPoolExecutor({ maxWorkers: 2, name: 'processes' })
    try {
      expect(() => processes.submit(fixture('pow'), processes as unknown as number, 1)).toThrow(TypeError)
      expect(() => processes.submit(fixture('pow'), [new Future()] as unknown as number, 1)).toThrow(TypeError)
      expect(await guard(processes.submit(fixture('forkJoin'), 1, 0).result(), 15_000, 'nested')).toBe(0)
      expect(await guard(processes.submit(fixture('freshExecutor')).result(), 15_000, 'fresh executor')).toBe(42)
      expect(collected.reports).toEqual([])
    } finally {
      collected.close()
      await processes.shutdown()
    }
  })
})
