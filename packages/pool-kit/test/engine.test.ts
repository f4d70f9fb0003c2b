// PoolEngine over a second, minimal transport (worker threads, test/fixtures/thread-worker.mjs):
// the engine is transport-agnostic, and recovery and start backoff work the same as on the
// process pool. Real threads, no mocks.
import { Worker } from 'node:worker_threads'
import { describeCallable, task } from '@x/future'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkerDiedError } from '../src/errors.js'
import { PoolEngine } from '../src/engine/engine.js'
import type { PoolErrors, Transport } from '../src/engine/transport.js'
import { isPoolMessage } from '../src/protocol.js'
import type { FromWorker } from '../src/protocol.js'

const entry = new URL('./fixtures/thread-worker.mjs', import.meta.url)
const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)

interface Handle {
  readonly worker: Worker
  readonly marker: Float64Array
}

function threadTransport(maxWorkers: number, failStart = false): Transport<Handle> {
  return {
    start(_workerId, events) {
      const marker = new Float64Array(new SharedArrayBuffer(8))
      const worker = new Worker(entry, { workerData: { marker: marker.buffer, maxWorkers, failStart } })
      worker.on('message', (message: unknown) => {
        if (isPoolMessage(message)) events.message(message as FromWorker)
        else events.ready()
      })
      worker.on('error', () => undefined)
      worker.on('exit', (code) => {
        events.exit(code, undefined)
      })
      return { worker, marker }
    },
    send: (handle, message) => {
      handle.worker.postMessage(message)
    },
    kill: (handle) => void handle.worker.terminate(),
    stop: (handle) => void handle.worker.terminate(),
    ref: (handle, referenced) => {
      if (referenced) handle.worker.ref()
      else handle.worker.unref()
    },
    pid: () => undefined,
    startedAt: (handle, held) => {
      const id = handle.marker[0]
      return id === 0 ? -1 : held.findIndex((item) => item.future.id === id)
    },
    release: () => undefined,
  }
}

class ThreadDiedError extends WorkerDiedError {}

const errors: PoolErrors = {
  poolNoun: 'thread pool',
  workerNoun: 'worker thread',
  workersNoun: 'worker threads',
  initializerFailed: 'A thread initializer failed',
  died: (_future, name, death) => new ThreadDiedError(`the thread running "${name}" exited`, 'ERR_TEST_DIED', death),
  broken: (message, options) => new Error(message, options),
  unsendable: (message, cause) => new TypeError(message, { cause }),
}

let engines: PoolEngine<Handle>[] = []
afterEach(async () => {
  for (const engine of engines) {
    engine.shutDown(true)
    await engine.whenDrained()
    await engine.stopAll()
  }
  engines = []
})

function newEngine(maxWorkers: number, failStart = false, transport = threadTransport(maxWorkers, failStart)): PoolEngine<Handle> {
  const engine = new PoolEngine(
    { executorId: 0, maxWorkers, maxTasksPerWorker: undefined, idleTimeout: undefined, abortGracePeriod: 1000 },
    transport,
    errors,
  )
  engines.push(engine)
  return engine
}

const submit = (engine: PoolEngine<Handle>, name: string, ...args: unknown[]) =>
  engine.submit(describeCallable(task(tasks, name)), args, false, name, undefined, undefined)

describe('PoolEngine on worker threads', () => {
  it('runs calls and source functions, never on more workers than maxWorkers', async () => {
    const engine = newEngine(2)
    const double = describeCallable((x: number) => x * 2)
    const futures = Array.from({ length: 200 }, (_, i) => engine.submit(double, [i], false, undefined, undefined, undefined))
    expect(await Promise.all(futures)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2))
    expect(engine.workerCount).toBeLessThanOrEqual(2)
  })

  it('a dead thread fails only the task it was running; the ones sent ahead run on the next thread', async () => {
    const engine = newEngine(1)
    // learn that exitIf is short, so it is sent ahead in batches
    expect(await Promise.all(Array.from({ length: 300 }, (_, i) => submit(engine, 'exitIf', i, -1)))).toHaveLength(300)
    const futures = Array.from({ length: 100 }, (_, i) => submit(engine, 'exitIf', i, 50))
    const outcomes = await Promise.all(futures.map((f) => f.exception()))
    expect(outcomes.flatMap((error, i) => (error === undefined ? [] : [i]))).toEqual([50])
    expect(outcomes[50]).toBeInstanceOf(ThreadDiedError)
    expect((outcomes[50] as ThreadDiedError).exitCode).toBe(5)
    expect(await submit(engine, 'a', 7)).toBe(7)
  })

  it('large arguments: one call per message, and a worker holds at most the byte budget of them', async () => {
    // what the worker holds when a message goes: calls sent so far, less the ones settled
    const runs: { ids: number[]; held: number }[] = []
    let sent = 0
    let settled = 0
    const transport = threadTransport(1)
    transport.send = (handle, message) => {
      if (message.type === 'run') {
        sent += message.batch.ids.length
        runs.push({ ids: [...message.batch.ids], held: sent - settled })
      }
      handle.worker.postMessage(message)
    }
    const engine = newEngine(1, false, transport)
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    // learn that the callable is short, so the count window alone would send many ahead
    const small = Array.from({ length: 200 }, () => engine.submit(sum, [new Float64Array(4)], false, undefined, undefined, undefined))
    await Promise.all(small)
    runs.length = 0
    sent = settled = 0
    const mib = 1024 * 1024
    const arrays = Array.from({ length: 12 }, (_, k) => new Float64Array(mib / 8).fill(k))
    const futures = arrays.map((a) => engine.submit(sum, [a], false, undefined, undefined, undefined))
    for (const future of futures) {
      future.addDoneCallback(() => {
        settled++
      })
    }
    const sums = await Promise.all(futures)
    expect(sums).toEqual(arrays.map((_, k) => (k * mib) / 8))
    expect(runs.map((r) => r.ids.length)).toEqual(Array.from({ length: 12 }, () => 1))
    // 4 MiB of arguments at most: 4 calls of 1 MiB (the one just sent included)
    expect(Math.max(...runs.map((r) => r.held))).toBeLessThanOrEqual(4)
  })

  it('threads that die while starting are retried with a growing delay, then the pool breaks, saying why', async () => {
    const engine = newEngine(1, true)
    const error = (await submit(engine, 'a', 1).exception()) as Error
    expect(error.message).toMatch(/^A worker thread exited with code 1 while starting, the last of 5 worker threads in a row/)
    expect(() => {
      engine.checkOpen()
    }).toThrow(error)
  })
})
