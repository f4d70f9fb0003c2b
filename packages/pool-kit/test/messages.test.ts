// What travels between the engine and a worker: a plain call costs one `run` entry and one result
// (no progress, yield or credit message, no streams column), and progress and streams work over
// any transport (here the worker-thread one of engine.test.ts's kind). Real threads, no mocks.
import { Worker } from 'node:worker_threads'
import { describeCallable, task } from '@x/future'
import { afterEach, describe, expect, it } from 'vitest'
import { PoolEngine } from '../src/engine/engine.js'
import type { PoolErrors, Transport } from '../src/engine/transport.js'
import { packTuples } from '../src/chunk-codec.js'
import { isPoolMessage } from '../src/protocol.js'
import type { FromWorker, ToWorker } from '../src/protocol.js'
import { openPoolStream, streamSinkOption } from '../src/stream.js'
import type { StreamSubmitOptions } from '../src/stream.js'

const entry = new URL('./fixtures/thread-worker.mjs', import.meta.url)
const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)

/** A worker-thread transport that records every message both ways. */
function recordingTransport(sent: ToWorker[], received: FromWorker[]): Transport<Worker> {
  return {
    start(_workerId, events) {
      const worker = new Worker(entry, { workerData: { marker: new SharedArrayBuffer(8), maxWorkers: 1, failStart: false } })
      worker.on('message', (message: unknown) => {
        if (isPoolMessage(message)) {
          received.push(message as FromWorker)
          events.message(message as FromWorker)
        } else events.ready()
      })
      worker.on('error', () => undefined)
      worker.on('exit', (code) => {
        events.exit(code, undefined)
      })
      return worker
    },
    send: (worker, message) => {
      sent.push(message)
      worker.postMessage(message)
    },
    kill: (worker) => void worker.terminate(),
    stop: (worker) => void worker.terminate(),
    ref: (worker, referenced) => {
      if (referenced) worker.ref()
      else worker.unref()
    },
    pid: () => undefined,
    startedAt: () => undefined,
    release: () => undefined,
  }
}

const errors: PoolErrors = {
  poolNoun: 'thread pool',
  workerNoun: 'worker thread',
  workersNoun: 'worker threads',
  initializerFailed: 'A thread initializer failed',
  died: () => {
    throw new Error('no worker dies in these tests')
  },
  broken: (message, options) => new Error(message, options),
  unsendable: (message, cause) => new TypeError(message, { cause }),
}

let engine: PoolEngine<Worker> | undefined
afterEach(async () => {
  if (engine === undefined) return
  engine.shutDown(true)
  await engine.whenDrained()
  await engine.stopAll()
  engine = undefined
})

function newEngine(sent: ToWorker[], received: FromWorker[]): PoolEngine<Worker> {
  engine = new PoolEngine(
    { executorId: 0, maxWorkers: 1, maxTasksPerWorker: undefined, idleTimeout: undefined, abortGracePeriod: 1000 },
    recordingTransport(sent, received),
    errors,
  )
  return engine
}

describe('engine messages', () => {
  it('plain calls send run batches without a streams column and get results back, nothing else', async () => {
    const sent: ToWorker[] = []
    const received: FromWorker[] = []
    const e = newEngine(sent, received)
    const spec = describeCallable(task(tasks, 'b'))
    const futures = Array.from({ length: 50 }, (_, i) => e.submit(spec, [i], false, 'b', undefined, undefined))
    expect(await Promise.all(futures)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2))
    expect(new Set(sent.map((m) => m.type))).toEqual(new Set(['run']))
    expect(new Set(received.map((m) => m.type))).toEqual(new Set(['results']))
    for (const message of sent) if (message.type === 'run') expect('streams' in message.batch).toBe(false)
  })

  it("a map() chunk's future gets the results as they came: the worker's packed column, not a copy", async () => {
    const sent: ToWorker[] = []
    const received: FromWorker[] = []
    const e = newEngine(sent, received)
    const twice = describeCallable(task(tasks, 'b'))
    const numbers = await e.submit(twice, packTuples([[1], [-0], [2.5]]), true, 'b', undefined, undefined)
    const same = describeCallable(task(tasks, 'a'))
    const mixed = await e.submit(same, packTuples([['x'], [1]]), true, 'a', undefined, undefined)
    const arrived = received.flatMap((m) => (m.type === 'results' ? m.values : []))
    expect(numbers).toBeInstanceOf(Float64Array)
    expect(Array.from(numbers as Float64Array)).toEqual([2, -0, 5])
    expect(mixed).toEqual(['x', 1])
    // one message value each, handed on as is: unpacking made an array per chunk that lived until map() reached it
    expect(arrived).toHaveLength(2)
    expect(numbers).toBe(arrived[0])
    expect(mixed).toBe(arrived[1])
  })

  it('progress and a stream over this transport: coalesced reports, values in order, credit as the consumer takes them', async () => {
    const sent: ToWorker[] = []
    const received: FromWorker[] = []
    const e = newEngine(sent, received)
    const f = e.submit(describeCallable(task(tasks, 'report')), [100_000], false, 'report', undefined, undefined)
    const seen: unknown[] = []
    f.onProgress((value) => seen.push(value))
    expect(await f).toBe(100_000)
    expect(seen.at(-1)).toBe(100_000)
    expect(received.filter((m) => m.type === 'progress').length).toBeLessThan(1000)

    const upTo = describeCallable(task(tasks, 'upTo'))
    const submitWith = (options: StreamSubmitOptions, _fn: never, ...args: never[]) =>
      e.submit(upTo, args, false, 'upTo', options.signal, undefined, options[streamSinkOption])
    const values: unknown[] = []
    for await (const value of openPoolStream(submitWith, upTo, [40, { highWaterMark: 4 }])) values.push(value)
    expect(values).toEqual(Array.from({ length: 40 }, (_, i) => i))
    const yielded = received.flatMap((m) => (m.type === 'yield' ? m.values : []))
    expect(yielded).toEqual(values)
    const run = sent.find((m) => m.type === 'run' && m.batch.streams !== undefined)
    expect(run?.type === 'run' ? run.batch.streams : undefined).toEqual([4])
    // the worker never had more than highWaterMark values out beyond the credit it got
    const credited = sent.reduce((n, m) => n + (m.type === 'credit' ? m.count : 0), 0)
    expect(credited).toBeGreaterThanOrEqual(36)
  })
})
