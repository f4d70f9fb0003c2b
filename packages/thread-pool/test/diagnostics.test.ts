// The diagnostics event contract for tasks in workers, waits included, and lendWorker().
import { channels } from '@x/future'
import type { ExecutorCreateEvent, WaitEndEvent, WaitStartEvent } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, latch, track, until } from './helpers.js'

const subscriptions: (() => void)[] = []
function record<T>(channel: { subscribe: (fn: (m: unknown) => void) => void; unsubscribe: (fn: (m: unknown) => void) => void }): T[] {
  const seen: T[] = []
  const listener = (message: unknown): void => {
    seen.push(message as T)
  }
  channel.subscribe(listener)
  subscriptions.push(() => { channel.unsubscribe(listener); })
  return seen
}
afterEach(() => {
  for (const off of subscriptions.splice(0)) off()
})

class DeadlockError extends Error {
  readonly report: { kind: string; cycle: number[] }
  constructor(report: { kind: string; cycle: number[] }) {
    super(`deadlock: ${report.kind}`)
    this.name = 'DeadlockError'
    this.report = report
  }
}

describe('diagnostics events', () => {
  it('publishes create, submit, start, finish and shutdown for worker tasks', async () => {
    const creates = record<ExecutorCreateEvent>(channels.executorCreate)
    const submits = record<{ futureId: number; executorId: number; name?: string }>(channels.futureSubmit)
    const starts = record<{ futureId: number; executorId: number; workerId: number }>(channels.futureStart)
    const finishes = record<{ futureId: number; failed: boolean }>(channels.futureFinish)
    const shutdowns = record<{ executorId: number; wait: boolean }>(channels.executorShutdown)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(creates.map((e) => [e.executorId, e.kind, e.maxWorkers])).toEqual([[pool.id, 'thread', 1]])
    // A task seen running (running() reads its state word) publishes future:start at once.
    const sab = new SharedArrayBuffer(8)
    const f = pool.submitWith({ name: 'block' }, fixture('blockOn'), sab, 9)
    await until(() => f.running(), 'the task to run')
    expect(submits).toEqual([{ futureId: f.id, executorId: pool.id, name: 'block', callerTaskId: undefined }])
    expect(starts).toEqual([{ futureId: f.id, executorId: pool.id, workerId: 1 }])
    expect(finishes).toEqual([])
    Atomics.store(new Int32Array(sab), 0, 1)
    expect(await f).toBe(9)
    expect(finishes).toEqual([{ futureId: f.id, failed: false }])
    // A task whose result arrives before anyone looked may get future:finish alone (the contract
    // allows it): whichever way, it is announced once and finished once.
    const g = pool.submit(fixture('square'), 3)
    expect(await g).toBe(9)
    expect(starts.filter((e) => e.futureId === g.id).length).toBeLessThanOrEqual(1)
    expect(finishes.filter((e) => e.futureId === g.id)).toEqual([{ futureId: g.id, failed: false }])
    await pool.shutdown()
    expect(shutdowns.map((e) => [e.executorId, e.wait])).toEqual([[pool.id, true]])
  })

  it('a worker task waiting on nested work publishes wait:start/end on the coordinator with coordinator ids', async () => {
    const starts = record<WaitStartEvent>(channels.waitStart)
    const ends = record<WaitEndEvent>(channels.waitEnd)
    const submits = record<{ futureId: number; callerTaskId?: number }>(channels.futureSubmit)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const gate = latch()
    const parent = pool.submit(fixture('awaitNestedLatch'), gate.path)
    await until(() => starts.some((e) => e.taskId === parent.id), 'the worker-side wait to be forwarded')
    const wait = starts.find((e) => e.taskId === parent.id) ?? expect.unreachable('no such event')
    const child = submits.find((e) => e.callerTaskId === parent.id)
    expect(child).toBeDefined()
    expect(wait.futureIds).toEqual([child?.futureId])
    expect(wait.mode).toBe('all')
    expect(wait.stack).toContain('awaitNestedLatch')
    expect(parent.running()).toBe(true)
    gate.release()
    expect(await parent).toBe('child done')
    expect(ends).toContainEqual({ waitId: wait.waitId, reason: 'settled' })
  })

  it("reject() on the coordinator rejects the worker's await with an error keeping its name and report", async () => {
    const starts = record<WaitStartEvent>(channels.waitStart)
    const ends = record<WaitEndEvent>(channels.waitEnd)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const gate = latch()
    const parent = pool.submit(fixture('awaitNestedLatch'), gate.path)
    await until(() => starts.some((e) => e.taskId === parent.id), 'the worker-side wait')
    const wait = starts.find((e) => e.taskId === parent.id) ?? expect.unreachable('no such event')
    wait.reject(new DeadlockError({ kind: 'cycle', cycle: [1, 2] }))
    expect(await parent).toEqual({
      name: 'DeadlockError',
      message: 'deadlock: cycle',
      report: { kind: 'cycle', cycle: [1, 2] },
      code: undefined,
    })
    expect(ends).toContainEqual({ waitId: wait.waitId, reason: 'rejected' })
    gate.release()
  })

  it('with diagnostics on, an async worker task publishes future:start while it runs', async () => {
    record<WaitStartEvent>(channels.waitStart)
    const starts = record<{ futureId: number }>(channels.futureStart)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const gate = latch()
    const f = pool.submit(async (file: string) => {
      const fs = process.getBuiltinModule('node:fs')
      while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 2))
      return 'released'
    }, gate.path)
    // Only the event is polled: reading f.state would itself sync the state from the worker.
    await until(() => starts.some((e) => e.futureId === f.id), 'future:start')
    gate.release()
    expect(await f).toBe('released')
  })

  it('shutdown() from inside a worker task is published with the calling task', async () => {
    const shutdowns = record<{ executorId: number; wait: boolean; cancelFutures: boolean; callerTaskId?: number }>(channels.executorShutdown)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const f = pool.submit(fixture('shutdownFromTask'), true)
    await f.exception()
    expect(shutdowns).toContainEqual({ executorId: pool.id, wait: true, cancelFutures: false, callerTaskId: f.id })
  })

  it("publishes worker:exit with the exit code and the futures that were running", async () => {
    const exits = record<{ executorId: number; exitCode?: number; futureIds: number[] }>(channels.workerExit)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const f = pool.submit(fixture('exitWith'), 3)
    await f.exception()
    expect(exits).toEqual([expect.objectContaining({ executorId: pool.id, exitCode: 3, futureIds: [f.id] })])
  })

  it("lendWorker() runs one more worker beyond maxWorkers (the detector's 'compensate'), and refuses past its cap", async () => {
    const creates = record<ExecutorCreateEvent>(channels.executorCreate)
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const lend = (creates.find((e) => e.executorId === pool.id) ?? expect.unreachable('no create event')).lendWorker
    const gate = latch()
    // The parent holds the only worker and waits for its child: starvation without a lent worker.
    const parent = pool.submit(fixture('parentOfLatchedChild'), gate.path)
    await until(() => parent.running(), 'the parent to run')
    const giveBack = lend()
    expect(giveBack).toBeTypeOf('function')
    expect(lend()).toBeUndefined() // the cap: maxWorkers extra workers
    gate.release()
    expect(await parent).toBe('parent of child')
    expect(pool.workerCount).toBe(2)
    giveBack?.()
  })
})

describe('with the @x/diagnostics deadlock detector', () => {
  it("'throw': a worker task starving the pool gets a DeadlockError (name and report) in the worker", async () => {
    const detector = detectDeadlocks({ onDeadlock: 'throw' })
    try {
      const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
      const gate = latch()
      // awaitNestedLatch returns the error it caught, as data
      const seen = (await pool.submit(fixture('awaitNestedLatch'), gate.path)) as { name: string; report?: { kind?: string } }
      expect(seen.name).toBe('DeadlockError')
      expect(seen.report?.kind).toBe('starvation')
      gate.release()
    } finally {
      detector.stop()
    }
  })

  it("'compensate': the detector borrows a worker and the nested work finishes", async () => {
    const detector = detectDeadlocks({ onDeadlock: 'compensate' })
    try {
      const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
      expect(await pool.submit(fixture('nested'), 4)).toBe(41)
    } finally {
      detector.stop()
    }
  })
})
