// The detector driven by scripted event sequences (no real executor): the model of
// research/deadlock.md §3 in isolation, including orders of events that are hard to force
// with real pools.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { channels } from '@x/future'
import { detectDeadlocks, DeadlockError, isDeadlockError } from '@x/diagnostics'
import type { DeadlockDetector, DeadlockReport } from '@x/diagnostics'
import { must } from './helpers/observe.js'
import { flush, Script } from './helpers/synthetic.js'

let detector: DeadlockDetector | undefined
let script: Script

function start(onDeadlock: 'throw' | 'warn' | 'compensate' | 'callback' = 'callback'): DeadlockReport[] {
  const reports: DeadlockReport[] = []
  detector = detectDeadlocks({ onDeadlock: onDeadlock === 'callback' ? (report) => reports.push(report) : onDeadlock })
  script = new Script()
  return reports
}

afterEach(() => {
  detector?.stop()
  detector = undefined
  script.endAll()
})

describe('cycles', () => {
  it('two tasks waiting on each other: one report, in the wait that closed the cycle', async () => {
    const reports = start('throw')
    const pool = script.executor(2, 'io')
    const a = script.run(pool, 0, 'wait_on_b')
    const b = script.run(pool, 1, 'wait_on_a')
    const waitA = script.wait(a, [b])
    await flush()
    expect(waitA.rejected).toBeUndefined()
    const waitB = script.wait(b, [a])
    await flush()
    expect(waitA.rejected).toBeUndefined()
    expect(waitB.rejected).toBeInstanceOf(DeadlockError)
    const report = (waitB.rejected as DeadlockError).report
    expect(reports).toEqual([]) // 'throw' mode does not call anything else
    expect(report.kind).toBe('cycle')
    expect(report.summary).toBe('cycle of 2 tasks in io')
    expect(report.victimWaitId).toBe(waitB.waitId)
    expect(report.victimTaskId).toBe(b)
    expect(report.tasks.map((task) => [task.id, task.name, task.role])).toEqual([
      [a, 'wait_on_b', 'core'],
      [b, 'wait_on_a', 'core'],
    ])
    expect(report.chain).toEqual([
      `Task #${String(b)} "wait_on_a" (io, worker 1) waits for Future #${String(a)}, which is running as Task #${String(a)} "wait_on_b" (worker 0)`,
      `Task #${String(a)} "wait_on_b" (io, worker 0) waits for Future #${String(b)}, which is running as Task #${String(b)} "wait_on_a" (worker 1)`,
    ])
    expect(report.waits.map((wait) => [wait.id, wait.victim])).toEqual([
      [waitA.waitId, false],
      [waitB.waitId, true],
    ])
  })

  it('a ring of three is printed in ring order starting from the victim', () => {
    const reports = start()
    const pool = script.executor(3, 'ring')
    const [a, b, c] = [script.run(pool, 0, 'A'), script.run(pool, 1, 'B'), script.run(pool, 2, 'C')] as [number, number, number]
    script.wait(a, [b])
    script.wait(b, [c])
    expect(reports).toHaveLength(0)
    script.wait(c, [a])
    expect(reports).toHaveLength(1)
    const report = must(reports[0], 'a report')
    expect(report.kind).toBe('cycle')
    expect(report.summary).toBe('cycle of 3 tasks in ring')
    expect(report.chain.map((line) => line.slice(0, line.indexOf(' ('))).join(' | ')).toBe(
      `Task #${String(c)} "C" | Task #${String(a)} "A" | Task #${String(b)} "B"`,
    )
  })

  it('a cycle across two executors names both', () => {
    const reports = start()
    const left = script.executor(2, 'left')
    const right = script.executor(2, 'right')
    const a1 = script.run(left, 0, 'a1')
    const b1 = script.run(right, 0, 'b1')
    script.wait(a1, [b1])
    script.wait(b1, [a1])
    expect(reports.map((report) => report.summary)).toEqual(['cycle of 2 tasks across left, right'])
    expect(reports[0]?.executors.map((executor) => executor.name)).toEqual(['left', 'right'])
  })

  it('a task waiting on its own future is a self-wait', () => {
    const reports = start()
    const pool = script.executor(2)
    const task = script.run(pool, 0, 'narcissus')
    script.wait(task, [task])
    expect(reports.map((report) => report.kind)).toEqual(['self-wait'])
    expect(reports[0]?.summary).toBe(`Task #${String(task)} "narcissus" waits for its own future`)
  })

  it('the main thread waiting on a deadlocked task is a tail, not part of the core', () => {
    const reports = start()
    const pool = script.executor(2, 'io')
    const a = script.run(pool, 0, 'a')
    const b = script.run(pool, 1, 'b')
    const main = script.wait(undefined, [a])
    script.wait(a, [b])
    script.wait(b, [a])
    const report = must(reports[0], 'a report')
    expect(report.waits.find((wait) => wait.id === main.waitId)?.role).toBe('tail')
    expect(report.chain.at(-1)).toBe(
      `also waiting (not part of the deadlock): code outside any task (e.g. the main thread) waits for Future #${String(a)} "a"`,
    )
    expect(report.edges).toContainEqual({ from: `W${String(main.waitId)}`, to: `T${String(a)}`, label: 'waits for', waitId: main.waitId, role: 'tail' })
  })
})

describe('starvation', () => {
  it('maxWorkers 1: a task waits on its own queued subtask', () => {
    const reports = start()
    const pool = script.executor(1, 'cpu')
    const outer = script.run(pool, 0, 'wait_on_future')
    const inner = script.submit(pool, 'pow', outer)
    script.wait(outer, [inner])
    expect(reports).toHaveLength(1)
    const report = must(reports[0], 'a report')
    expect(report.kind).toBe('starvation')
    expect(report.summary).toBe('pool starvation in cpu (1/1 slots, all held by blocked tasks)')
    expect(report.chain).toEqual([
      `Task #${String(outer)} "wait_on_future" (cpu, worker 0) waits for Future #${String(inner)} "pow", which is queued (position 1 of 1) in cpu and cannot start:`,
      `every slot of cpu (1 of 1) is held by a blocked task: Task #${String(outer)} "wait_on_future"`,
    ])
    expect(report.executors).toEqual([
      expect.objectContaining({ name: 'cpu', maxWorkers: 1, queued: [inner], queuedCount: 1, role: 'core' }),
    ])
    expect(report.executors[0]?.slots).toEqual([{ workerId: 0, taskId: outer, taskName: 'wait_on_future', blocked: true }])
  })

  it('two parents on a pool of two: detected only when the second wait closes it, once', () => {
    const reports = start()
    const pool = script.executor(2, 'pair')
    const t1 = script.run(pool, 0, 'T1')
    const t2 = script.run(pool, 1, 'T2')
    const c1 = script.submit(pool, 'C1', t1)
    const c2 = script.submit(pool, 'C2', t2)
    script.wait(t1, [c1])
    expect(reports).toHaveLength(0)
    const second = script.wait(t2, [c2])
    expect(reports).toHaveLength(1)
    expect(reports[0]?.victimWaitId).toBe(second.waitId)
    expect(reports[0]?.tasks.filter((task) => task.role === 'core').map((task) => task.id)).toEqual([t1, t2, c1, c2])
  })

  it('no detection while another holder can still finish (scenario 5)', () => {
    const reports = start()
    const pool = script.executor(2)
    const t1 = script.run(pool, 0, 'T1')
    const t2 = script.run(pool, 1, 'T2')
    const c1 = script.submit(pool, 'C1', t1)
    script.wait(t1, [c1])
    expect(reports).toHaveLength(0)
    script.finish(t2)
    script.start(pool, c1, 1)
    script.finish(c1)
    expect(reports).toHaveLength(0)
    expect(detector?.snapshot().deadlockedWaits).toBe(0)
  })

  it('cross-pool starvation: the core holds the starved pool, the pool with free workers is context', () => {
    const reports = start()
    const a = script.executor(1, 'A')
    const b = script.executor(4, 'B')
    const a1 = script.run(a, 0, 'a1')
    const b1 = script.run(b, 0, 'b1')
    script.wait(a1, [b1])
    const a2 = script.submit(a, 'a2', b1)
    script.wait(b1, [a2])
    const report = must(reports[0], 'a report')
    expect(report.kind).toBe('starvation')
    expect(report.executors.map((executor) => [executor.name, executor.role])).toEqual([
      ['A', 'core'],
      ['B', 'other'],
    ])
  })
})

describe('no false alarms', () => {
  it('a wait with a timeout is never reported (and does not block its task)', () => {
    const reports = start()
    const pool = script.executor(1)
    const outer = script.run(pool, 0)
    const inner = script.submit(pool)
    script.wait(outer, [inner], { timeout: 50 })
    const a = script.run(script.executor(2), 0)
    script.wait(a, [outer])
    expect(reports).toHaveLength(0)
  })

  it('a cycle whose only way out is a timeout is not a deadlock (scenario 12)', () => {
    const reports = start()
    const pool = script.executor(2)
    const a = script.run(pool, 0)
    const b = script.run(pool, 1)
    script.wait(a, [b], { timeout: 20 })
    script.wait(b, [a])
    expect(reports).toHaveLength(0)
  })

  it('a hand-made future has an unknown resolver', () => {
    const reports = start()
    const pool = script.executor(1)
    const task = script.run(pool, 0)
    script.submit(pool) // the pool is full and has a queue
    script.wait(task, [script.handMade()])
    expect(reports).toHaveLength(0)
  })

  it('a done future is never waited on: its id is unknown once finished', () => {
    const reports = start()
    const pool = script.executor(1)
    const task = script.run(pool, 0)
    const inner = script.submit(pool)
    script.cancel(inner)
    script.wait(task, [inner])
    expect(reports).toHaveLength(0)
  })

  it('a queued future of a pool with a free worker is live (scenario 13)', () => {
    const reports = start()
    const a = script.executor(1)
    const b = script.executor(2)
    const a1 = script.run(a, 0)
    script.run(b, 0) // one of B's two slots is busy, one is free
    const queued = script.submit(b)
    script.wait(a1, [queued])
    expect(reports).toHaveLength(0)
  })

  it("'any' waits need only one live future (scenario 9 FIRST_COMPLETED)", () => {
    const reports = start()
    const pool = script.executor(1, 'cpu')
    const healthy = script.run(script.executor(1, 'idle'), 0)
    const outer = script.run(pool, 0)
    const doomed = script.submit(pool)
    script.wait(outer, [doomed, healthy], { mode: 'any' })
    expect(reports).toHaveLength(0)
  })

  it("'any' waits where every future is doomed are detected (scenario 10)", () => {
    const reports = start()
    const pool = script.executor(1, 'cpu')
    const outer = script.run(pool, 0)
    const doomed = [script.submit(pool), script.submit(pool)]
    script.wait(outer, doomed, { mode: 'any' })
    expect(reports.map((report) => report.kind)).toEqual(['starvation'])
  })

  it('futures and executors the detector never saw count as able to finish', () => {
    const reports = start()
    // A task of an executor created before the detector: its pool size is unknown.
    const ghostExecutor = { id: 999_999_999, name: 'ghost', lent: 0, lends: 0 }
    const task = script.run(ghostExecutor, 0)
    const queued = script.submit(ghostExecutor)
    script.wait(task, [queued])
    expect(reports).toHaveLength(0)
  })

  it('a worker exit fails its tasks: their waiters are not deadlocked (scenario 20)', () => {
    const reports = start()
    const pool = script.executor(2)
    const t1 = script.run(pool, 0, 'T1')
    const t2 = script.run(pool, 1, 'T2')
    const c1 = script.submit(pool, 'C1', t1)
    script.wait(t1, [c1])
    script.workerExit(pool, 1, [t2])
    expect(reports).toHaveLength(0)
    script.start(pool, c1, 2)
    script.finish(c1)
    expect(detector?.snapshot().deadlockedWaits).toBe(0)
  })
})

describe('event order', () => {
  it('a wait forwarded before its task\'s start event still counts once the task starts', () => {
    const reports = start()
    const pool = script.executor(1, 'cpu')
    const outer = script.submit(pool, 'outer')
    const inner = script.submit(pool, 'inner', outer)
    script.wait(outer, [inner]) // arrives while the detector still sees outer as queued
    expect(reports).toHaveLength(0)
    script.start(pool, outer, 0)
    expect(reports.map((report) => report.kind)).toEqual(['starvation'])
  })
})

describe('tasks with several waits at once', () => {
  it('Promise.all over a live and a doomed wait is found once the live one ends', () => {
    const reports = start()
    const pool = script.executor(1, 'cpu')
    const other = script.executor(1, 'other')
    const outer = script.run(pool, 0)
    const healthy = script.run(other, 0)
    const doomed = script.submit(pool)
    const live = script.wait(outer, [healthy])
    script.wait(outer, [doomed])
    expect(reports).toHaveLength(0)
    script.finish(healthy)
    live.end()
    expect(reports.map((report) => report.kind)).toEqual(['starvation'])
  })
})

describe('actions', () => {
  it("'throw' rejects only the victim, with a DeadlockError carrying code and report", async () => {
    start('throw')
    const pool = script.executor(1, 'cpu')
    const outer = script.run(pool, 0)
    const inner = script.submit(pool)
    const main = script.wait(undefined, [outer])
    const wait = script.wait(outer, [inner])
    await flush()
    expect(main.rejected).toBeUndefined()
    expect(isDeadlockError(wait.rejected)).toBe(true)
    const error = wait.rejected as DeadlockError
    expect(error.name).toBe('DeadlockError')
    expect(error.code).toBe('ERR_DEADLOCK')
    expect(error.kind).toBe('starvation')
    expect(error.message.split('\n')[0]).toBe('deadlock detected: pool starvation in cpu (1/1 slots, all held by blocked tasks)')
    expect(error.stack).toContain(`at scripted wait ${String(wait.waitId)}`)
  })

  it("'warn' emits a DeadlockWarning with code ERR_DEADLOCK and keeps waiting", async () => {
    start('warn')
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning)
    }
    process.on('warning', onWarning)
    try {
      const pool = script.executor(1, 'cpu')
      const outer = script.run(pool, 0)
      const wait = script.wait(outer, [script.submit(pool)])
      await flush()
      expect(wait.rejected).toBeUndefined()
      expect(warnings.map((warning) => [warning.name, (warning as Error & { code?: string }).code, warning.message])).toEqual([
        ['DeadlockWarning', 'ERR_DEADLOCK', 'deadlock detected: pool starvation in cpu (1/1 slots, all held by blocked tasks)'],
      ])
      expect((warnings[0] as Error & { detail?: string }).detail).toContain('Hint: a task waits for work queued')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it("'compensate' lends the starved pool a worker and gives it back when the wait ends", async () => {
    start('compensate')
    const pool = script.executor(1, 'cpu', { cap: 4 })
    const outer = script.run(pool, 0)
    const inner = script.submit(pool)
    const wait = script.wait(outer, [inner])
    await flush()
    expect(wait.rejected).toBeUndefined()
    expect([pool.lends, pool.lent]).toEqual([1, 1])
    expect(detector?.snapshot().executors[0]?.lent).toBe(1)
    // With the loan the inner task runs; a nested starvation borrows one more.
    script.start(pool, inner, 1)
    const innermost = script.submit(pool)
    const nested = script.wait(inner, [innermost])
    expect([pool.lends, pool.lent]).toEqual([2, 2])
    script.start(pool, innermost, 2)
    script.finish(innermost)
    nested.end()
    expect(pool.lent).toBe(1)
    script.finish(inner)
    wait.end()
    expect(pool.lent).toBe(0)
    await flush()
    expect(nested.rejected).toBeUndefined()
  })

  it("'compensate' throws when the pool cannot lend, and says why", async () => {
    start('compensate')
    const pool = script.executor(1, 'cpu', { cap: 0 })
    const outer = script.run(pool, 0)
    const wait = script.wait(outer, [script.submit(pool)])
    await flush()
    expect(isDeadlockError(wait.rejected)).toBe(true)
    const report = (wait.rejected as DeadlockError).report
    expect(report.action).toBe('throw')
    expect(report.note).toBe('cpu could not lend an extra worker (not supported by this executor, or its cap is reached)')
  })

  it("'compensate' still throws for a cycle (more workers cannot break it)", async () => {
    start('compensate')
    const pool = script.executor(2, 'io', { cap: 4 })
    const a = script.run(pool, 0)
    const b = script.run(pool, 1)
    script.wait(a, [b])
    const wait = script.wait(b, [a])
    await flush()
    expect((wait.rejected as DeadlockError | undefined)?.report.kind).toBe('cycle')
    expect(pool.lends).toBe(0)
  })

  it('stop() gives lent workers back, unsubscribes, and is idempotent', () => {
    const reports = start('compensate')
    const pool = script.executor(1, 'cpu', { cap: 4 })
    const outer = script.run(pool, 0)
    script.wait(outer, [script.submit(pool)])
    expect(pool.lent).toBe(1)
    detector?.stop()
    detector?.stop()
    expect(pool.lent).toBe(0)
    const again = script.executor(1)
    const task = script.run(again, 0)
    script.wait(task, [script.submit(again)])
    expect(reports).toHaveLength(0)
    expect(again.lends).toBe(0)
  })

  it("stop() right after a detection cancels the pending rejection ('throw')", async () => {
    start('throw')
    const pool = script.executor(1)
    const outer = script.run(pool, 0)
    const wait = script.wait(outer, [script.submit(pool)])
    detector?.stop()
    await flush()
    expect(wait.rejected).toBeUndefined()
  })

  it('a throwing onDeadlock callback is reported as a warning, not thrown into the executor', async () => {
    detector = detectDeadlocks({
      onDeadlock: () => {
        throw new RangeError('callback bug')
      },
    })
    script = new Script()
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning)
    }
    process.on('warning', onWarning)
    try {
      const pool = script.executor(1)
      const outer = script.run(pool, 0)
      expect(() => script.wait(outer, [script.submit(pool)])).not.toThrow()
      await flush()
      expect(warnings.map((warning) => warning.message)).toEqual(['the onDeadlock callback threw: RangeError: callback bug'])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('each deadlock is reported once, however many checks see it', () => {
    const reports = start('warn')
    const seen: DeadlockReport[] = []
    detector?.stop()
    detector = detectDeadlocks({ onDeadlock: (report) => seen.push(report) })
    const pool = script.executor(1)
    const outer = script.run(pool, 0)
    const inner = script.submit(pool)
    script.wait(outer, [inner])
    script.wait(undefined, [outer]) // a tail arriving later
    script.wait(undefined, [inner])
    expect(seen).toHaveLength(1)
    expect(reports).toHaveLength(0)
  })
})

describe('safety-net timer', () => {
  it('exists only while an untimed wait is open, re-checks with backoff, and reports nothing healthy', () => {
    vi.useFakeTimers()
    try {
      const reports = start()
      const pool = script.executor(2)
      const task = script.run(pool, 0)
      expect(vi.getTimerCount()).toBe(0)
      const timed = script.wait(task, [script.handMade()], { timeout: 1_000 })
      expect(vi.getTimerCount()).toBe(0) // timed waits need no re-check
      timed.end('timeout')
      const open = script.wait(task, [script.handMade()])
      expect(vi.getTimerCount()).toBe(1)
      vi.advanceTimersByTime(60_000) // 1 s, 2 s, 4 s, 8 s, then every 10 s
      expect(vi.getTimerCount()).toBe(1)
      expect(reports).toEqual([])
      open.end()
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('finds a deadlock no event announced: a backend that publishes a submit after the wait on it', () => {
    vi.useFakeTimers()
    try {
      const reports = start()
      const pool = script.executor(1, 'cpu')
      const outer = script.run(pool, 0, 'outer')
      const late = script.handMade() // an id nobody submitted yet: unknown, so the wait looks live
      script.wait(outer, [late])
      expect(reports).toEqual([])
      channels.futureSubmit.publish({ futureId: late, executorId: pool.id, name: 'late', callerTaskId: outer })
      expect(reports).toEqual([]) // a submit is no trigger
      vi.advanceTimersByTime(1_000)
      expect(reports.map((r) => r.kind)).toEqual(['starvation'])
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('options', () => {
  it('rejects bad options with a message naming the problem', () => {
    expect(() => detectDeadlocks({ onDeadlock: 'thrw' as 'throw' })).toThrow(
      new TypeError(`onDeadlock must be 'throw', 'warn', 'compensate' or a function, got "thrw"`),
    )
    expect(() => detectDeadlocks({ onDeadLock: 'warn' } as never)).toThrow(
      new TypeError('detectDeadlocks: unknown option "onDeadLock" (the options are onDeadlock and waitSites)'),
    )
    expect(() => detectDeadlocks('warn' as never)).toThrow(
      new TypeError(`detectDeadlocks options must be an object like { onDeadlock: 'warn' }, got "warn"`),
    )
    script = new Script()
  })

  it('[Symbol.dispose] stops the detector', () => {
    const reports: DeadlockReport[] = []
    script = new Script()
    {
      using scoped = detectDeadlocks({ onDeadlock: (report) => reports.push(report) })
      expect(typeof scoped.snapshot).toBe('function')
    }
    const pool = script.executor(1)
    const outer = script.run(pool, 0)
    script.wait(outer, [script.submit(pool)])
    expect(reports).toHaveLength(0)
  })
})
