// Worker death, the signal path, transfer, shared memory, nested submission, shutdown from a task.
import diagnosticsChannel from 'node:diagnostics_channel'
import { existsSync } from 'node:fs'
import { CancelledError, type FutureError, type WorkerExitEvent, channelNames, currentTask, wait } from '@x/future'
import { BrokenThreadPoolError, ThreadPoolExecutor, WorkerExitError } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, latch, rejection, track, until } from './helpers.js'

describe('a worker that dies', () => {
  // Without the transport's exit watch this test hangs (and times out): nothing else learns that
  // a thread called process.exit() (tinypool 2.2.0, which started the threads before, did not).
  it('process.exit() in a task fails that future with the exit code; the pool serves on', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const before = pool.submit(fixture('pow'), 2, 3)
    const dying = pool.submit(fixture('exitWith'), 7)
    const after = Array.from({ length: 5 }, (_, i) => pool.submit(fixture('pow'), 2, i))
    expect(await before).toBe(8)
    const error = (await rejection(dying)) as WorkerExitError
    expect(error).toBeInstanceOf(WorkerExitError)
    expect(error.exitCode).toBe(7)
    expect(error.code).toBe('ERR_WORKER_EXITED')
    expect(error.message).toContain('exited with code 7')
    expect(await Promise.all(after)).toEqual([1, 2, 4, 8, 16])
    expect(pool.workerCount).toBe(1)
  })

  it('process.exit(0) is a death too, and the queued work is not lost', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const fs = Array.from({ length: 40 }, (_, i) => (i === 5 ? pool.submit(fixture('exitWith'), 0) : pool.submit(fixture('square'), i)))
    const { done } = await wait(fs)
    expect(done.size).toBe(40)
    const error = (await rejection(fs[5] as PromiseLike<unknown>)) as WorkerExitError
    expect(error.exitCode).toBe(0)
    for (const [i, f] of fs.entries()) if (i !== 5) expect(await f).toBe(i * i)
  })

  it('an uncaught error thrown in a timer while the task runs fails it with a WorkerExitError whose cause is that error', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const error = (await rejection(pool.submit(fixture('throwWhileRunning')))) as WorkerExitError
    expect(error).toBeInstanceOf(WorkerExitError)
    expect(error.message).toMatch(/died from an uncaught RangeError: thrown in a timer/)
    expect(error.cause).toBeInstanceOf(RangeError)
    expect(await pool.submit(fixture('pow'), 3, 2)).toBe(9)
  })

  it('an uncaught error in a timer after the task returned does not touch finished futures; the pool serves on', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await pool.submit(fixture('throwLater'), 5)).toBe('returned')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await pool.submit(fixture('pow'), 2, 10)).toBe(1024)
  })

  it('running out of resourceLimits memory fails the task with an error naming it; the pool serves on', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } }))
    const error = (await rejection(pool.submit(fixture('exhaustMemory')))) as WorkerExitError
    expect(error).toBeInstanceOf(WorkerExitError)
    expect(error.message).toMatch(/ran out of memory/)
    expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY')
    expect(await pool.submit(fixture('pow'), 2, 2)).toBe(4)
  })

  // A thread that dies while starting must count as a failed start: without the pool's check this
  // test hangs (tinypool 2.2.0, which started the threads before, kept its task queued forever).
  it('a worker thread that cannot even start breaks the pool instead of hanging', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } }))
    const error = (await rejection(pool.submit(fixture('pow'), 2, 2))) as BrokenThreadPoolError
    expect(error).toBeInstanceOf(BrokenThreadPoolError)
    expect(error.message).toMatch(/a worker thread failed to start/)
    expect(() => pool.submit(fixture('pow'), 2, 2)).toThrow(BrokenThreadPoolError)
  })

  it('a thread that fails to start is retried after a growing delay; the pool breaks after 5 in a row, saying so', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } }))
    let exits = 0
    const onExit = (message: unknown): void => {
      if ((message as WorkerExitEvent).executorId === pool.id) exits++
    }
    diagnosticsChannel.subscribe(channelNames.workerExit, onExit)
    try {
      const error = (await rejection(pool.submit(fixture('pow'), 2, 2))) as BrokenThreadPoolError
      expect(error.message).toMatch(/^a worker thread failed to start \(.*\), 5 times in a row with none starting in between/)
      // the first four failed starts were given up and retried (each publishes worker:exit)
      expect(exits).toBe(4)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.workerExit, onExit)
    }
  })

  it("a task's own error is never a WorkerExitError and keeps class, code, properties and cause", async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const error = (await rejection(pool.submit(fixture('richError')))) as RangeError & { code: string; extra: unknown }
    expect(error).toBeInstanceOf(RangeError)
    expect(error).not.toBeInstanceOf(WorkerExitError)
    expect(error.code).toBe('E_RICH')
    expect(error.extra).toEqual({ n: 1 })
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.stack).toContain('richError')
    expect(error.stack).toContain('tasks.mjs')
  })
})

describe('the signal path', () => {
  it('aborting a pending future cancels it; the task never runs', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const sab = new SharedArrayBuffer(8)
    const words = new Int32Array(sab)
    const blocker = pool.submit(fixture('blockOn'), sab, 'blocker')
    const controller = new AbortController()
    const started = latch()
    const queued = pool.submitWith({ signal: controller.signal }, fixture('onAbort'), started.path, false, 0)
    await until(() => Atomics.load(words, 1) === 1, 'the blocker to run')
    controller.abort()
    expect(queued.cancelled()).toBe(true)
    expect(await rejection(queued)).toBeInstanceOf(CancelledError)
    Atomics.store(words, 0, 1)
    expect(await blocker).toBe('blocker')
    expect(started.exists()).toBe(false)
  })

  it('an already aborted signal gives a cancelled future', () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const f = pool.submitWith({ signal: AbortSignal.abort() }, fixture('pow'), 1, 1)
    expect(f.cancelled()).toBe(true)
    expect(f.state).toBe('CANCELLED_AND_NOTIFIED')
  })

  it('a running task sees currentTask().signal abort with the reason and may stop', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, abortGracePeriod: 5000 }))
    const controller = new AbortController()
    const started = latch()
    const f = pool.submitWith({ signal: controller.signal }, fixture('onAbort'), started.path, false, 0)
    await until(() => existsSync(started.path), 'the task to start')
    expect(f.toString()).toContain('state=running')
    expect(f.running()).toBe(true)
    expect(f.cancel()).toBe(false)
    controller.abort(new RangeError('stop please'))
    const error = (await rejection(f)) as Error
    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toBe('stop please')
    expect(pool.workerCount).toBe(1)
    expect(await pool.submit(fixture('pow'), 2, 5)).toBe(32)
  })

  it('a task that ignores the abort has its worker ended after the grace period and rejects with the reason', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, abortGracePeriod: 50 }))
    const controller = new AbortController()
    const started = latch()
    const f = pool.submitWith({ signal: controller.signal }, fixture('onAbort'), started.path, true, 60_000)
    const queued = pool.submit(fixture('pow'), 3, 3)
    await until(() => existsSync(started.path), 'the task to start')
    controller.abort('too slow')
    expect(await rejection(f)).toBe('too slow')
    expect(await queued).toBe(27)
  })
})

describe('transfer and shared memory', () => {
  it('submitWith({ transfer }) moves a buffer: the caller\'s copy is detached and the worker gets it intact', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const array = new Float64Array(1024).fill(0.5)
    const f = pool.submitWith({ transfer: [array.buffer] }, fixture('sumArray'), array)
    expect(array.buffer.byteLength).toBe(0)
    expect(await f).toBe(512)
    const copied = new Float64Array(8).fill(2)
    expect(await pool.submit(fixture('sumArray'), copied)).toBe(16)
    expect(copied.length).toBe(8)
  })

  it('a SharedArrayBuffer is shared, not copied', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const sab = new SharedArrayBuffer(16)
    await Promise.all(Array.from({ length: 10 }, () => pool.submit(fixture('incrementShared'), sab)))
    expect([...new Int32Array(sab)]).toEqual([10, 10, 10, 10])
  })
})

describe('nested submission', () => {
  it('currentTask().executor.submit inside a worker task, awaited there', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 4 }))
    expect(await pool.submit(fixture('nested'), 4)).toBe(41)
    // three parents hold three workers; their children run on the fourth
    expect(await Promise.all([1, 2, 3].map((n) => pool.submit(fixture('nested'), n)))).toEqual([11, 21, 31])
  })

  it('stats() counts the calls a worker task submitted, and times them once timing is on', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    pool.stats() // timing on
    expect(await pool.submit(fixture('nested'), 4)).toBe(41)
    const stats = pool.stats()
    // the outer call and the call it submitted from inside its thread
    expect(stats).toMatchObject({ completed: 2, failed: 0, running: 0, queued: 0 })
    expect(stats.runTime.count).toBe(2)
    expect(stats.waitTime.count).toBe(2)
  })

  it('map() from inside a worker task, with chunks', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    expect(await pool.submit(fixture('nestedMap'), [1, 2, 3, 4, 5])).toEqual([2, 4, 6, 8, 10])
  })

  it('a nested task handed to a busy worker runs once that worker is free (not stuck behind its waiting parent)', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const sab = new SharedArrayBuffer(8)
    const words = new Int32Array(sab)
    const blocker = pool.submit(fixture('blockOn'), sab, 'blocker')
    await until(() => Atomics.load(words, 1) === 1, 'the blocker to run')
    const parent = pool.submit(fixture('nested'), 5)
    await until(() => parent.running(), 'the parent to run')
    Atomics.store(words, 0, 1)
    expect(await blocker).toBe('blocker')
    expect(await parent).toBe(51)
  })

  it('cancel() or an aborted signal on a nested future inside a worker cancels it while it is pending', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await pool.submit(fixture('cancelNested'), false)).toEqual([false, 'CancelledError', true])
    expect(await pool.submit(fixture('cancelNested'), true)).toEqual([undefined, 'CancelledError', true])
  })

  it('58: shutdown({ wait: true }) from inside a task fails with "cannot join current thread" (the pool is shut down, as in Python); wait: false works', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const error = (await rejection(pool.submit(fixture('shutdownFromTask'), true))) as FutureError
    expect(error.message).toContain('cannot join current thread')
    expect(error.code).toBe('ERR_SHUTDOWN_FROM_TASK')
    expect(() => pool.submit(fixture('pow'), 2, 2)).toThrow('cannot schedule new futures after shutdown')
    await pool.shutdown()
    const other = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const queued = other.submit(fixture('pow'), 2, 2)
    expect(await other.submit(fixture('shutdownFromTask'), false)).toBe('shut down')
    expect(() => other.submit(fixture('pow'), 2, 2)).toThrow('cannot schedule new futures after shutdown')
    expect(await queued).toBe(4)
  })

  it('currentTask() is undefined outside tasks', () => {
    expect(currentTask()).toBeUndefined()
  })
})
