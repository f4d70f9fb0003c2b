// PoolEngine over a second, minimal transport (worker threads, test/fixtures/thread-worker.mjs):
// the engine is transport-agnostic, and recovery and start backoff work the same as on the
// process pool. Real threads, no mocks.
import diagnosticsChannel from 'node:diagnostics_channel'
import { Worker } from 'node:worker_threads'
import type { Transferable } from 'node:worker_threads'
import { channelNames, describeCallable, task } from '@x/future'
import { afterEach, describe, expect, it } from 'vitest'
import { ClaimWords } from '../src/claims.js'
import { WorkerDiedError } from '../src/errors.js'
import { PoolEngine } from '../src/engine/engine.js'
import type { PoolErrors, Transport } from '../src/engine/transport.js'
import { isPoolMessage } from '../src/protocol.js'
import type { FromWorker, ToWorker } from '../src/protocol.js'

const entry = new URL('./fixtures/thread-worker.mjs', import.meta.url)
const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)

interface Handle {
  readonly worker: Worker
  readonly marker: Float64Array
}

/**
 * `start`: when the transport says a worker takes messages (`open`) and is `ready`: `ready` (the
 * default) opens it when it is ready; `open` opens it at once (its first task waits in its port
 * while it starts); `neverReady` opens it at once and never says it is ready.
 */
function threadTransport(maxWorkers: number, failStart = false, claims?: ClaimWords, start: 'ready' | 'open' | 'neverReady' = 'ready', startBlockMs = 0): Transport<Handle> {
  return {
    start(_workerId, events) {
      const marker = new Float64Array(new SharedArrayBuffer(8))
      const shared = claims === undefined ? {} : { claims: claims.buffer, starts: claims.startsBuffer }
      const worker = new Worker(entry, { workerData: { marker: marker.buffer, maxWorkers, failStart, startBlockMs, ...shared } })
      if (start !== 'ready') events.open()
      worker.on('message', (message: unknown) => {
        if (isPoolMessage(message)) events.message(message as FromWorker)
        else if (start !== 'neverReady') events.ready()
      })
      worker.on('error', () => undefined)
      worker.on('exit', (code) => {
        events.exit(code, undefined)
      })
      return { worker, marker }
    },
    send: (handle, message, transfer) => {
      handle.worker.postMessage(message, transfer)
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

function newEngine(maxWorkers: number, failStart = false, claims?: ClaimWords, transport = threadTransport(maxWorkers, failStart, claims), abortGracePeriod = 1000): PoolEngine<Handle> {
  const engine = new PoolEngine(
    { executorId: 0, maxWorkers, maxTasksPerWorker: undefined, idleTimeout: undefined, abortGracePeriod, claimWords: claims },
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

  it("names a future after its function or export unless given a name; an anonymous function's future has none", async () => {
    const engine = newEngine(1)
    const byTask = engine.submit(describeCallable(task(tasks, 'a')), [1], false, undefined, undefined, undefined)
    const given = engine.submit(describeCallable(task(tasks, 'a')), [2], false, 'mine', undefined, undefined)
    const anonymous = engine.submit(describeCallable((x: number) => x), [3], false, undefined, undefined, undefined)
    expect([byTask.name, given.name, anonymous.name]).toEqual(['a', 'mine', undefined])
    expect(await Promise.all([byTask, given, anonymous])).toEqual([1, 2, 3])
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
    const runs: { ids: number[]; held: number; large: boolean }[] = []
    let sent = 0
    let settled = 0
    const transport = threadTransport(1)
    transport.send = (handle, message) => {
      if (message.type === 'run') {
        sent += message.batch.ids.length
        runs.push({ ids: [...message.batch.ids], held: sent - settled, large: message.large === true })
      }
      handle.worker.postMessage(message)
    }
    const engine = newEngine(1, false, undefined, transport)
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    // learn that the callable is short, so the count window alone would send many ahead
    const small = Array.from({ length: 200 }, () => engine.submit(sum, [new Float64Array(4)], false, undefined, undefined, undefined))
    await Promise.all(small)
    // small calls' messages do not say large
    expect(runs.filter((r) => r.large)).toEqual([])
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
    // each says so (a thread does not look for its next call after one)
    expect(runs.every((r) => r.large)).toBe(true)
    // 4 MiB of arguments at most: 4 calls of 1 MiB (the one just sent included)
    expect(Math.max(...runs.map((r) => r.held))).toBeLessThanOrEqual(4)
  })

  it('large arguments that move (transfer) travel as small ones: batched, and not bounded by the byte budget (nothing of them is copied)', async () => {
    // per message: how many calls it carries, and what the worker holds when it goes
    const runs: { calls: number; held: number }[] = []
    let sent = 0
    let settled = 0
    const transport = threadTransport(1)
    transport.send = (handle, message, transfer) => {
      if (message.type === 'run') {
        sent += message.batch.ids.length
        runs.push({ calls: message.batch.ids.length, held: sent - settled })
      }
      handle.worker.postMessage(message, transfer as never)
    }
    const engine = newEngine(1, false, undefined, transport)
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    // learn that the callable is short, so the count window alone would send many ahead
    const small = Array.from({ length: 200 }, () => engine.submit(sum, [new Float64Array(4)], false, undefined, undefined, undefined))
    await Promise.all(small)
    runs.length = 0
    sent = settled = 0
    const mib = 1024 * 1024
    const arrays = Array.from({ length: 12 }, (_, k) => new Float64Array(mib / 8).fill(k))
    const futures = arrays.map((a) => engine.submit(sum, [a], false, undefined, undefined, undefined, undefined, [a.buffer]))
    for (const future of futures) {
      future.addDoneCallback(() => {
        settled++
      })
    }
    const sums = await Promise.all(futures)
    expect(sums).toEqual(arrays.map((_, k) => (k * mib) / 8))
    expect(arrays.every((a) => a.byteLength === 0)).toBe(true)
    // not one message per call, as a copied 1 MiB payload gets
    expect(runs.length).toBeLessThan(12)
    expect(Math.max(...runs.map((r) => r.calls))).toBeGreaterThan(1)
    // the count window alone decides: more than the 4 calls of 1 MiB a copied payload may have
    expect(Math.max(...runs.map((r) => r.held))).toBeGreaterThan(4)
  })

  it('threads that die while starting are retried with a growing delay, then the pool breaks, saying why', async () => {
    for (const start of ['ready', 'open'] as const) {
      // (open: each thread is sent the task as it starts; it goes back to the queue each time)
      const engine = newEngine(1, true, undefined, threadTransport(1, true, undefined, start))
      const error = (await submit(engine, 'a', 1).exception()) as Error
      expect(error.message).toMatch(/^A worker thread exited with code 1 while starting, the last of 5 worker threads in a row/)
      expect(() => {
        engine.checkOpen()
      }).toThrow(error)
    }
  })

  it('a thread still starting is never sent a task that moves buffers: they would be lost with it if it failed to start', async () => {
    const engine = newEngine(1, true, undefined, threadTransport(1, true, undefined, 'open'))
    const buffer = new ArrayBuffer(8)
    const future = engine.submit(describeCallable(task(tasks, 'a')), [buffer], false, 'a', undefined, undefined, undefined, [buffer])
    // it waited in the queue for a thread that started, and none did: the pool's error, not a lost-arguments death
    const error = (await future.exception()) as Error
    expect(error).not.toBeInstanceOf(ThreadDiedError)
    expect(error.message).toMatch(/while starting, the last of 5 worker threads in a row/)
    expect(buffer.byteLength).toBe(8)
  })

  it('a thread that dies running the task it was sent while starting had started: its task fails, the pool never breaks', async () => {
    // (its ready never comes: the death is seen before it, as happens when a thread dies at once)
    const engine = newEngine(1, false, undefined, threadTransport(1, false, undefined, 'neverReady'))
    for (let i = 0; i < 7; i++) {
      const error = (await submit(engine, 'exitIf', 0, 0).exception()) as ThreadDiedError
      expect(error).toBeInstanceOf(ThreadDiedError)
      expect(error.exitCode).toBe(5)
    }
    expect(await submit(engine, 'a', 7)).toBe(7)
  })

  it('a task aborted while its thread still starts fails with the reason once the grace period ends that thread; it is not sent to the next one', async () => {
    // (each thread blocks for a minute before it listens: the task it is sent never starts)
    const transport = threadTransport(1, false, undefined, 'open', 60_000)
    let starts = 0
    const start = transport.start.bind(transport)
    transport.start = (workerId, events) => {
      starts++
      return start(workerId, events)
    }
    const engine = newEngine(1, false, undefined, transport, 50)
    const controller = new AbortController()
    const future = engine.submit(describeCallable(task(tasks, 'a')), [1], false, 'a', controller.signal, undefined)
    await until(() => future.running(), 'the task to be sent')
    const reason = new Error('stop')
    controller.abort(reason)
    // (before the fix, each new thread was sent it again and ended over it, without end)
    await until(() => future.done() || starts > 3, 'the future to settle')
    expect([future.done(), starts]).toEqual([true, 1])
    expect(await future.exception()).toBe(reason)
  })

  it('a thread still starting is sent one task, however short the callable: the rest waits for a thread that is free', async () => {
    const transport = threadTransport(1, false, undefined, 'open')
    const sent: number[] = []
    const send = transport.send.bind(transport)
    transport.send = (handle, message, transfer) => {
      if (message.type === 'run') sent.push(message.batch.ids.length)
      send(handle, message, transfer)
    }
    const engine = newEngine(1, false, undefined, transport)
    // 'a' is measured short: a ready thread would be sent many of its calls at once
    expect(await Promise.all(Array.from({ length: 300 }, (_, i) => submit(engine, 'a', i)))).toHaveLength(300)
    expect(Math.max(...sent)).toBeGreaterThan(1)
    expect(await submit(engine, 'exitIf', 0, 0).exception()).toBeInstanceOf(ThreadDiedError)
    await until(() => engine.workerCount === 0, 'the thread to be gone')
    sent.length = 0
    const futures = Array.from({ length: 6 }, (_, i) => submit(engine, 'a', i))
    // (the dispatcher runs in microtasks: all of them ran before this; the new thread is not up yet)
    await new Promise((resolve) => setImmediate(resolve))
    expect(engine.workerCount).toBe(1)
    expect(sent).toEqual([1])
    // (no claim words here: what is sent is RUNNING, the rest PENDING)
    expect(futures.filter((future) => future.running())).toHaveLength(1)
    expect(await Promise.all(futures)).toEqual([0, 1, 2, 3, 4, 5])
  })
})

function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve()
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(poll, 2)
    }
    poll()
  })
}

/** Runs blockOnce until its send-ahead window is wide (no call blocks: word 0 is -1). */
async function warmBlockOnce(engine: PoolEngine<Handle>, words: Int32Array): Promise<void> {
  Atomics.store(words, 0, -1)
  await Promise.all(Array.from({ length: 300 }, (_, i) => submit(engine, 'blockOnce', words.buffer, i)))
  Atomics.store(words, 2, 0)
}

describe('PoolEngine with the claims policy (claim words shared with the threads)', () => {
  it('work sent ahead stays PENDING and cancellable until its thread claims it; a cancelled one never runs', async () => {
    const engine = newEngine(1, false, new ClaimWords(undefined, 1024))
    const words = new Int32Array(new SharedArrayBuffer(16))
    await warmBlockOnce(engine, words)
    Atomics.store(words, 0, 0)
    const futures = Array.from({ length: 10 }, (_, i) => submit(engine, 'blockOnce', words.buffer, i))
    try {
      await until(() => Atomics.load(words, 1) === 1, 'the first call to block')
    } finally {
      if (Atomics.load(words, 1) !== 1) Atomics.store(words, 3, 1)
    }
    expect(futures[0]?.running()).toBe(true)
    expect(futures[0]?.cancel()).toBe(false)
    // the other nine were sent to the (only) thread with the first one, and wait there
    expect(futures.slice(1).map((f) => f.state)).toEqual(Array.from({ length: 9 }, () => 'PENDING'))
    expect(futures[5]?.cancel()).toBe(true)
    expect(futures[5]?.state).toBe('CANCELLED_AND_NOTIFIED')
    Atomics.store(words, 3, 1)
    Atomics.notify(words, 3)
    const outcomes = await Promise.all(futures.map((f) => f.exception().then(() => 'ran', () => 'cancelled')))
    expect(outcomes.filter((o) => o === 'cancelled')).toHaveLength(1)
    expect(Atomics.load(words, 2)).toBe(9)
  })

  it('a dead thread fails only the task it had claimed; the unclaimed ones go back to the front of the queue', async () => {
    const engine = newEngine(1, false, new ClaimWords(undefined, 1024))
    expect(await Promise.all(Array.from({ length: 300 }, (_, i) => submit(engine, 'exitIf', i, -1)))).toHaveLength(300)
    const futures = Array.from({ length: 100 }, (_, i) => submit(engine, 'exitIf', i, 50))
    const outcomes = await Promise.all(futures.map((f) => f.exception()))
    expect(outcomes.flatMap((error, i) => (error === undefined ? [] : [i]))).toEqual([50])
    expect((outcomes[50] as ThreadDiedError).exitCode).toBe(5)
    expect(await Promise.all(futures.filter((_, i) => i !== 50))).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 50))
  })

  it('a lone call to an idle thread goes at once, alone, with its callable the first time; one submitted from future:submit comes after it', async () => {
    const claims = new ClaimWords(undefined, 1024)
    const base = threadTransport(1, false, claims)
    const runs: ToWorker[] = []
    const engine = newEngine(1, false, claims, {
      ...base,
      send(handle, message, transfer) {
        if (message.type === 'run') runs.push(message)
        base.send(handle, message, transfer)
      },
    })
    expect(await submit(engine, 'a', 1)).toBe(1)
    runs.length = 0
    const lone = submit(engine, 'b', 2)
    // (sent before submit() returned, and with the callable: the thread never ran 'b')
    expect(runs.map((m) => (m.type === 'run' ? [m.batch.ids, m.batch.specs?.length] : []))).toEqual([[[lone.id], 1]])
    expect(await lone).toBe(4)
    let nested: ReturnType<typeof submit> | undefined
    let once = false
    const onSubmit = (): void => {
      if (once) return
      once = true
      nested = submit(engine, 'b', 3)
    }
    diagnosticsChannel.subscribe(channelNames.futureSubmit, onSubmit)
    let outer: ReturnType<typeof submit>
    try {
      outer = submit(engine, 'b', 5)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.futureSubmit, onSubmit)
    }
    expect(await Promise.all([outer, nested])).toEqual([10, 6])
    const order = runs.slice(1).flatMap((m) => (m.type === 'run' ? m.batch.ids : []))
    expect(order).toEqual([outer.id, nested?.id])
  })

  it('a lone call that moves a buffer goes at once in the short form (sendCall), with its transfer list', async () => {
    const claims = new ClaimWords(undefined, 1024)
    const base = threadTransport(1, false, claims)
    const calls: { id: number; moved: number }[] = []
    const engine = newEngine(1, false, claims, {
      ...base,
      // the short form, posted as the message it stands for (the fixture thread reads those)
      sendCall(handle, id, specId, name, slot, ticket, args, diag, transfer) {
        calls.push({ id, moved: transfer?.length ?? 0 })
        const batch = { ids: [id], specIds: [specId], args: [args], names: [name], slots: [slot], tickets: [ticket] }
        handle.worker.postMessage(diag ? { type: 'run', batch, diag: true } : { type: 'run', batch }, transfer as never)
      },
    })
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    // (once: the thread gets the callable with its first call, in a message)
    expect(await engine.submit(sum, [new Float64Array([1])], false, undefined, undefined, undefined)).toBe(1)
    const array = new Float64Array([1, 2, 3])
    const future = engine.submit(sum, [array], false, undefined, undefined, undefined, undefined, [array.buffer])
    // sent before submit() returned, and moved with it
    expect(calls).toEqual([{ id: future.id, moved: 1 }])
    expect(array.byteLength).toBe(0)
    expect(await future).toBe(6)
  })

  it('a lone call with large arguments goes in the short form marked large (the worker does not wait after it); small ones and moved buffers are not', async () => {
    const claims = new ClaimWords(undefined, 1024)
    const calls: { id: number; large: boolean | undefined }[] = []
    const engine = newEngine(1, false, claims, {
      ...threadTransport(1, false, claims),
      // the short form, posted as the message it stands for (the fixture thread reads those)
      sendCall(handle, id, specId, name, slot, ticket, args, diag, transfer, large) {
        calls.push({ id, large })
        const batch = { ids: [id], specIds: [specId], args: [args], names: [name], slots: [slot], tickets: [ticket] }
        handle.worker.postMessage(diag ? { type: 'run', batch, diag: true } : { type: 'run', batch }, transfer as never)
      },
    })
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    // (once: the thread gets the callable with its first call, in a message)
    expect(await engine.submit(sum, [new Float64Array([1])], false, undefined, undefined, undefined)).toBe(1)
    const mib = new Float64Array(1024 * 128).fill(1)
    const small = engine.submit(sum, [new Float64Array([2, 3])], false, undefined, undefined, undefined)
    expect(await small).toBe(5)
    const large = engine.submit(sum, [mib], false, undefined, undefined, undefined)
    expect(await large).toBe(1024 * 128)
    const movedArray = new Float64Array(1024 * 128).fill(2)
    const moved = engine.submit(sum, [movedArray], false, undefined, undefined, undefined, undefined, [movedArray.buffer])
    expect(await moved).toBe(2 * 1024 * 128)
    expect(calls).toEqual([
      { id: small.id, large: false },
      { id: large.id, large: true },
      { id: moved.id, large: false },
    ])
  })

  it('submit() with `move`: a lone call to an idle thread goes at once with the caller\'s buffers (no move), calls that wait are moved before they are queued, a move that throws queues nothing', async () => {
    const claims = new ClaimWords(undefined, 1024)
    const engine = newEngine(1, false, claims, {
      ...threadTransport(1, false, claims),
      // the short form, posted as the message it stands for (the fixture thread reads those)
      sendCall(handle, id, specId, name, slot, ticket, args, diag, transfer) {
        const batch = { ids: [id], specIds: [specId], args: [args], names: [name], slots: [slot], tickets: [ticket] }
        handle.worker.postMessage(diag ? { type: 'run', batch, diag: true } : { type: 'run', batch }, transfer as never)
      },
    })
    const moved: number[] = []
    const move = (args: unknown[], transfer: readonly Transferable[]): [unknown[], readonly Transferable[]] => {
      moved.push((args[0] as Float64Array)[0] ?? -1)
      return structuredClone([args, transfer], { transfer: transfer as Transferable[] })
    }
    const sum = describeCallable((a: Float64Array) => a.reduce((s, x) => s + x, 0))
    const call = (array: Float64Array) => engine.submit(sum, [array], false, undefined, undefined, undefined, undefined, [array.buffer as ArrayBuffer], move)
    // (its counts are @internal: not in the built types)
    const counts = engine as unknown as { queued: number; inflight: number }
    // (the thread gets the callable with its first call, in a message: that call is moved)
    expect(await call(new Float64Array([1]))).toBe(1)
    expect(moved).toEqual([1])
    const arrays = [new Float64Array([2, 2]), new Float64Array([3, 3]), new Float64Array([4, 4])]
    const futures = arrays.map(call)
    expect(arrays.map((a) => a.byteLength)).toEqual([0, 0, 0])
    // the first went at once (posted with its transfer list), the two behind it waited
    expect(moved).toEqual([1, 3, 4])
    // (sent: PENDING until the thread claims it; queued: PENDING)
    expect(['PENDING', 'RUNNING']).toContain(futures[0]?.state)
    expect(futures.slice(1).map((f) => f.state)).toEqual(['PENDING', 'PENDING'])
    expect(counts.queued).toBe(2)
    const refuse = () => {
      throw new TypeError('cannot move')
    }
    const held = new Float64Array([5])
    expect(() => engine.submit(sum, [held], false, undefined, undefined, undefined, undefined, [held.buffer], refuse)).toThrow('cannot move')
    expect(counts.queued).toBe(2)
    expect(await Promise.all(futures)).toEqual([4, 6, 8])
    expect(counts.inflight).toBe(0)
  })

  // (a loaded machine may need a round trip per stolen call: generous time limits)
  it('work stealing: a thread that goes idle takes half the unclaimed work of a busy one', { timeout: 90_000 }, async () => {
    const engine = newEngine(2, false, new ClaimWords(undefined, 1024))
    const words = new Int32Array(new SharedArrayBuffer(16))
    await warmBlockOnce(engine, words)
    Atomics.store(words, 0, 0)
    // one thread holds the even calls (0 blocks it), the other the odd ones
    const futures = Array.from({ length: 20 }, (_, i) => submit(engine, 'blockOnce', words.buffer, i))
    // the other thread runs the odd ones, then steals from the blocked one, half each time it
    // is idle again, until every call has run (without stealing, the nine evens would wait)
    try {
      await until(() => Atomics.load(words, 2) === 20, 'the idle thread to steal', 60_000)
    } finally {
      Atomics.store(words, 3, 1)
      Atomics.notify(words, 3)
    }
    const results = (await Promise.all(futures)) as [number, number][]
    const blockedThread = results[0]?.[1]
    const movedEvens = results.filter(([id, thread]) => id % 2 === 0 && thread !== blockedThread).map(([id]) => id)
    expect(movedEvens).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18])
  })
})
