// The short forms of a one-call `run` and a one-call `results` on a thread's port
// (src/short-messages.ts): each message comes out as it went in, through a real port, and only
// those two kinds are shortened; a pool's round trips that mix short and long messages each get
// their own answer.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { task } from '@x/future'
import type { FromWorker, ToWorker } from '@x/pool-kit'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { deliverFromWorker, deliverToWorker, isLargeCall, isShortCall, shortCall, shortFromWorker, shortResult, shortToWorker } from '../dist/short-messages.js'
import { rejection, track } from './helpers.js'

const reporting = task<(x: number) => number>(new URL('./fixtures/round-trips.mjs', import.meta.url), 'reporting')

/** Posts `value` on a fresh channel and takes it on the other end (a structured clone, as a thread gets it). */
function throughPort(value: unknown): unknown {
  const { port1, port2 } = new MessageChannel()
  try {
    port1.postMessage(value)
    return receiveMessageOnPort(port2)?.message
  } finally {
    port1.close()
  }
}

/** What a thread's runtime is handed for `sent`, as the long message it stands for (`undefined`: nothing). */
function toWorkerOf(sent: unknown): ToWorker | undefined {
  let out: ToWorker | undefined
  deliverToWorker(sent, {
    receive: (message) => {
      out = message
    },
    receiveCall: (id, specId, name, slot, ticket, args, diag) => {
      const batch = { ids: [id], specIds: [specId], args: [args], names: [name], slots: [slot], tickets: [ticket] }
      out = diag ? { type: 'run', batch, diag: true } : { type: 'run', batch }
    },
  })
  return out
}

/** What the pool's engine is handed for `sent`, as the long message it stands for (`undefined`: nothing). */
function fromWorkerOf(sent: unknown): FromWorker | undefined {
  let out: FromWorker | undefined
  deliverFromWorker(sent, {
    message: (message) => {
      out = message
    },
    result: (id, value, meanMs) => {
      out = { type: 'results', ids: [id], values: [value], meanMs }
    },
  })
  return out
}

const one = { ids: [7], specIds: [3], args: [[1, 'two', undefined, { three: [3] }]], names: ['named'], slots: [12], tickets: [48] }

const toWorker: [string, ToWorker, boolean][] = [
  ['a run of one call', { type: 'run', batch: one }, true],
  ['a run of one call with diag', { type: 'run', batch: one, diag: true }, true],
  ['a run of one call without a name or arguments', { type: 'run', batch: { ...one, args: [[]], names: [undefined] } }, true],
  ['a run of two calls', { type: 'run', batch: { ids: [1, 2], specIds: [3, 3], args: [[1], [2]], names: [undefined, undefined], slots: [0, 1], tickets: [0, 4] } }, false],
  ['a run that carries a callable', { type: 'run', batch: { ...one, specs: [{ specId: 3, spec: { kind: 'source', name: 'f', source: '(x) => x' } as never }] } }, false],
  ['a run of a map() chunk', { type: 'run', batch: { ...one, chunks: [true] } }, false],
  ['a run of a stream() task', { type: 'run', batch: { ...one, streams: [16] } }, false],
  ['a run without claim words', { type: 'run', batch: { ids: [7], specIds: [3], args: [[1]], names: [undefined] } }, false],
  ['an abort', { type: 'abort', id: 7, reason: { name: 'AbortError', message: 'stop' } as never }, false],
  ['a credit', { type: 'credit', id: 7, count: 2 }, false],
]

const fromWorker: [string, FromWorker, boolean][] = [
  ['the results of one call', { type: 'results', ids: [7], values: [{ answer: [42] }], meanMs: 0.25 }, true],
  ['the result undefined', { type: 'results', ids: [7], values: [undefined], meanMs: 0 }, true],
  ['the results of two calls', { type: 'results', ids: [7, 8], values: [1, 2], meanMs: 0.25 }, false],
  ['a failed call', { type: 'results', ids: [7], values: [{ name: 'Error', message: 'no' }], failed: [0], meanMs: 0.25 }, false],
  ['a progress report', { type: 'progress', id: 7, value: 0.5 }, false],
  ['a started', { type: 'started', id: 7 }, false],
]

describe('short messages on a thread port', () => {
  it.each(toWorker)('pool to thread: %s comes out as it went in', (_what, message, shortened) => {
    const sent = shortToWorker(message)
    expect(Array.isArray(sent)).toBe(shortened)
    expect(toWorkerOf(throughPort(sent))).toEqual(message)
  })

  it.each(fromWorker)('thread to pool: %s comes out as it went in', (_what, message, shortened) => {
    const sent = shortFromWorker(message)
    expect(Array.isArray(sent)).toBe(shortened)
    expect(fromWorkerOf(throughPort(sent))).toEqual(message)
  })

  it('keeps the number of arguments of a one-call run, trailing undefined ones included', () => {
    const message: ToWorker = { type: 'run', batch: { ...one, args: [[undefined, undefined]] } }
    const back = toWorkerOf(throughPort(shortToWorker(message)))
    expect(back?.type === 'run' ? back.batch.args[0] : undefined).toHaveLength(2)
  })

  it("hands a thread the short run of one call as the runtime's receiveCall, any other message to receive, an unknown array to neither", () => {
    const calls: unknown[][] = []
    const received: unknown[] = []
    const runtime = {
      receiveCall: (...call: unknown[]) => calls.push(call),
      receive: (message: unknown) => received.push(message),
    }
    for (const [, message] of toWorker) deliverToWorker(throughPort(shortToWorker(message)), runtime)
    deliverToWorker([99, 1, 2], runtime)
    expect(calls).toEqual([
      [7, 3, 'named', 12, 48, [1, 'two', undefined, { three: [3] }], false],
      [7, 3, 'named', 12, 48, [1, 'two', undefined, { three: [3] }], true],
      [7, 3, undefined, 12, 48, [], false],
    ])
    expect(received).toEqual(toWorker.filter(([, , shortened]) => !shortened).map(([, message]) => message))
  })

  it('hands the pool the short result of one call as events.result, any other message long as events.message', () => {
    const results: unknown[][] = []
    const messages: unknown[] = []
    const events = { result: (...result: unknown[]) => results.push(result), message: (message: FromWorker) => messages.push(message) }
    for (const [, message] of fromWorker) deliverFromWorker(throughPort(shortFromWorker(message)), events)
    deliverFromWorker(throughPort(shortResult(9, 'nine', 1.5)), events)
    deliverFromWorker([99, 1, 2], events)
    expect(results).toEqual([
      [7, { answer: [42] }, 0.25],
      [7, undefined, 0],
      [9, 'nine', 1.5],
    ])
    expect(messages).toEqual(fromWorker.filter(([, , shortened]) => !shortened).map(([, message]) => message))
  })

  it('shortens a run of one call with large arguments too: the same call arrives, told apart as large', () => {
    const calls: unknown[][] = []
    const runtime = { receiveCall: (...call: unknown[]) => calls.push(call), receive: () => undefined }
    const runs: [ToWorker, boolean][] = [
      [{ type: 'run', batch: one }, false],
      [{ type: 'run', batch: one, large: true }, true],
      [{ type: 'run', batch: one, diag: true, large: true }, true],
    ]
    for (const [message, large] of runs) {
      const sent = throughPort(shortToWorker(message))
      expect(isShortCall(sent)).toBe(true)
      expect(isLargeCall(sent)).toBe(large)
      deliverToWorker(sent, runtime)
    }
    const call = [7, 3, 'named', 12, 48, [1, 'two', undefined, { three: [3] }]]
    expect(calls).toEqual([
      [...call, false],
      [...call, false],
      [...call, true],
    ])
    // no other message is a large call
    for (const [, message] of toWorker) expect(isLargeCall(throughPort(shortToWorker(message)))).toBe(false)
    // the lone call's short form (the transport's sendCall) says the same as the message's
    for (const diag of [false, true]) {
      for (const isLarge of [false, true]) {
        const direct = shortCall(7, 3, 'named', 12, 48, [1], diag, isLarge)
        expect(direct).toEqual(shortToWorker({ type: 'run', batch: { ...one, args: [[1]] }, ...(diag ? { diag: true } : {}), ...(isLarge ? { large: true } : {}) }))
        expect(isLargeCall(throughPort(direct))).toBe(isLarge)
      }
    }
  })

  it('takes an array it does not know for no message', () => {
    expect(toWorkerOf([99, 1, 2])).toBeUndefined()
    expect(fromWorkerOf([99, 1, 2])).toBeUndefined()
  })
})

describe('sequential round trips on one thread', () => {
  it('answer plain, failing, async, transferring, stream and progress-reporting calls in turn, each with its own result', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const increment = (x: number): number => x + 1
    const fail = (x: number): never => {
      throw new RangeError(`no ${String(x)}`)
    }
    const later = async (x: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return x * 2
    }
    const sum = (array: Float64Array): number => array.reduce((a, b) => a + b, 0)
    function* count(n: number): Generator<number> {
      for (let i = 0; i < n; i++) yield i
    }
    for (let i = 0; i < 300; i++) {
      expect(await pool.submit(increment, i)).toBe(i + 1)
      if (i % 25 !== 0) continue
      const error = await rejection(pool.submit(fail, i))
      expect(error).toBeInstanceOf(RangeError)
      expect((error as Error).message).toBe(`no ${String(i)}`)
      expect(await pool.submit(later, i)).toBe(i * 2)
      const array = new Float64Array([i, 1, 2])
      expect(await pool.submitWith({ transfer: [array.buffer] }, sum, array)).toBe(i + 3)
      expect(array.byteLength).toBe(0)
      const values: number[] = []
      for await (const value of pool.stream(count, 3, { highWaterMark: 1 })) values.push(value)
      expect(values).toEqual([0, 1, 2])
      const progress: unknown[] = []
      const f = pool.submit(reporting, i)
      f.onProgress((value) => progress.push(value))
      expect(await f).toBe(-i)
      expect(progress).toEqual([i])
    }
  })
})
