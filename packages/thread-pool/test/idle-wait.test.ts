// Between tasks an idle worker thread blocks on its wake word (src/wake-word.ts,
// src/idle-receiver.ts) instead of sleeping in its event loop. What must still hold: the thread's
// own timers and promise callbacks run, messages for a task started from the wait reach it, the
// process exits with an idle pool, and every round trip gets its own answer.
import { Worker } from 'node:worker_threads'
import { task } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { WakeWord } from '../dist/wake-word.js'
import { rejection, runScript, track, until } from './helpers.js'

const here = new URL('./fixtures/idle-wait.mjs', import.meta.url)
const armTimer = task<(sab: SharedArrayBuffer, ms: number) => string>(here, 'armTimer')
const startTicker = task<(sab: SharedArrayBuffer) => string>(here, 'startTicker')
const stopTicker = task<() => string>(here, 'stopTicker')
const thenLater = task<(sab: SharedArrayBuffer) => string>(here, 'thenLater')
const reporting = task<(x: number) => number>(here, 'reporting')
const waitForAbort = task<() => Promise<string>>(here, 'waitForAbort')

const increment = (x: number): number => x + 1

describe('an idle thread waiting for work', () => {
  it("runs its task module's timers while the pool has nothing for it", { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const fired = new SharedArrayBuffer(4)
    // a round trip first: the thread then takes the next task from the wait
    expect(await pool.submit(increment, 1)).toBe(2)
    expect(await pool.submit(armTimer, fired, 20)).toBe('armed')
    await until(() => Atomics.load(new Int32Array(fired), 0) === 1, 'the timer armed by the task to fire in the idle thread')
  })

  it('runs the promise callbacks a task left behind once it returned', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    // (the first call loads the module; the second is answered synchronously, then the thread waits)
    for (const done of [new SharedArrayBuffer(4), new SharedArrayBuffer(4)]) {
      expect(await pool.submit(thenLater, done)).toBe('queued')
      await until(() => Atomics.load(new Int32Array(done), 0) === 1, "the task's promise callback to run")
    }
  })

  it('still runs timers while the pool keeps it busy with one round trip after another', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const ticks = new SharedArrayBuffer(4)
    expect(await pool.submit(startTicker, ticks)).toBe('ticking')
    let rounds = 0
    // never idle for long: each task is submitted as soon as the one before has answered
    while (Atomics.load(new Int32Array(ticks), 0) < 5 && rounds < 50_000) {
      expect(await pool.submit(increment, rounds)).toBe(rounds + 1)
      rounds++
    }
    expect(await pool.submit(stopTicker)).toBe('stopped')
    expect(Atomics.load(new Int32Array(ticks), 0)).toBeGreaterThanOrEqual(5)
  })

  it('answers sequential round trips of plain, async, stream and progress-reporting tasks, each with its own result', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const later = async (x: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return x * 2
    }
    function* count(n: number): Generator<number> {
      for (let i = 0; i < n; i++) yield i
    }
    for (let i = 0; i < 200; i++) {
      expect(await pool.submit(increment, i)).toBe(i + 1)
      if (i % 10 === 0) {
        expect(await pool.submit(later, i)).toBe(i * 2)
        const values: number[] = []
        for await (const value of pool.stream(count, 5, { highWaterMark: 1 })) values.push(value)
        expect(values).toEqual([0, 1, 2, 3, 4])
        const progress: unknown[] = []
        const f = pool.submit(reporting, i)
        f.onProgress((value) => progress.push(value))
        expect(await f).toBe(-i)
        expect(progress).toEqual([i])
      }
    }
  })

  it('aborts a task it took from the wait', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, abortGracePeriod: 10_000 }))
    for (let i = 0; i < 3; i++) {
      expect(await pool.submit(increment, i)).toBe(i + 1)
      const controller = new AbortController()
      const f = pool.submitWith({ signal: controller.signal }, waitForAbort)
      await until(() => f.running(), 'the abortable task to start')
      controller.abort('stop')
      expect(await f).toBe('aborted: stop')
    }
    // and one that is aborted before the thread ever takes it from the wait
    const f = pool.submitWith({ signal: AbortSignal.abort('early') }, waitForAbort)
    expect(f.cancelled() || (await rejection(f)) !== undefined).toBe(true)
  })

  it('lets the process exit by itself once the pool is idle (no shutdown)', { timeout: 30_000 }, async () => {
    const result = await runScript('./fixtures/idle-wait-exit.mjs')
    expect(result.signal).toBeNull()
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ sum: (300 * 299) / 2 + 300 })
  })
})

describe('WakeWord', () => {
  it("wakes a thread that takes messages only through it, on every post (no message is left waiting for the wait's bound)", { timeout: 30_000 }, async () => {
    const { port1, port2 } = new MessageChannel()
    const word = new WakeWord()
    const worker = new Worker(new URL('./fixtures/wake-word-echo.mjs', import.meta.url), {
      workerData: { port: port2, wake: word.buffer },
      transferList: [port2 as never],
    })
    try {
      let answer: (value: number) => void = () => undefined
      port1.on('message', (value: number) => {
        answer(value)
      })
      // each wait of that thread lasts up to 60 s: a lost wake-up would time this test out
      for (let i = 0; i < 2_000; i++) {
        const next = new Promise<number>((resolve) => (answer = resolve))
        port1.postMessage(i)
        word.wake()
        expect(await next).toBe(i + 1)
      }
      // two posts before one wake: the second is on the port when the thread looks again
      const two: number[] = []
      const both = new Promise<void>((resolve) => {
        answer = (value) => {
          two.push(value)
          if (two.length === 2) resolve()
        }
      })
      port1.postMessage(10)
      port1.postMessage(20)
      word.wake()
      await both
      expect(two).toEqual([11, 21])
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      port1.postMessage('stop')
      word.wake()
      expect(await exited).toBe(0)
    } finally {
      port1.close()
      await worker.terminate()
    }
  })
})
