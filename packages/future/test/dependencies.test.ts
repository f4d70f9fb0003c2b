// Futures as arguments: the edge cases (the conformance suite has the contract).
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, CancelledError, DependencyError, Future, channelNames, currentTask } from '../src/index.js'
import type { DependencyEndEvent, DependencyStartEvent, FutureSubmitEvent } from '../src/index.js'
import { gate, rejection, sleep } from './helpers.js'

const subscriptions: [string, (message: unknown) => void][] = []
function listen<T>(channel: string): T[] {
  const seen: T[] = []
  const listener = (message: unknown): void => {
    seen.push(message as T)
  }
  diagnosticsChannel.subscribe(channel, listener)
  subscriptions.push([channel, listener])
  return seen
}
afterEach(() => {
  for (const [channel, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(channel, listener)
})

describe('futures as arguments', () => {
  it('cancel() after the hand-over cancels the queued call; once it runs, cancel() is false and the state follows', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const open = gate<string>()
    const blocker = ex.submit(() => open.promise)
    const ready = new Future<number>() // done: the call is handed over at once
    ready.setRunningOrNotifyCancel()
    ready.setResult(2)
    const ran: number[] = []
    const queued = ex.submit((x: number) => ran.push(x), ready)
    await sleep(1) // handed over (a microtask after the dependency), queued behind the blocker
    expect(queued.state).toBe('PENDING')
    expect(queued.cancel()).toBe(true)
    expect(queued.state).toBe('CANCELLED_AND_NOTIFIED')
    open.open('done')
    await blocker
    await ex.submit(() => undefined)
    expect(ran).toEqual([])

    const release = gate()
    const running = ex.submit(async (x: number) => (await release.promise, x), ready)
    await sleep(5)
    expect(running.state).toBe('RUNNING')
    expect(running.cancel()).toBe(false)
    release.open()
    expect(await running).toBe(2)
  })

  it('takes futures of other executors and hand-made ones; promises are passed as they are', async () => {
    await using io = new AsyncPoolExecutor({ maxWorkers: 1 })
    await using cpu = new AsyncPoolExecutor({ maxWorkers: 1 })
    const a = io.submit(async () => (await sleep(5), 'a'))
    const b = new Future<string>()
    const joined = cpu.submit((x: string, y: string) => x + y, a, b)
    setTimeout(() => {
      b.setRunningOrNotifyCancel()
      b.setResult('b')
    }, 10)
    expect(await joined).toBe('ab')
    const promise = Promise.resolve(1)
    expect(await cpu.submit((p: unknown) => p instanceof Promise, promise as never)).toBe(true)
  })

  it('a failed dependency fails every call waiting on it; a DependencyError of a chain keeps the first cause', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const root = ex.submit(() => {
      throw new RangeError('root cause')
    })
    const middle = ex.submit((x: number) => x, root)
    const leaf = ex.submit((x: number) => x, middle)
    const leafError = (await rejection(leaf.result())) as DependencyError
    expect(leafError).toBeInstanceOf(DependencyError)
    const middleError = leafError.cause as DependencyError
    expect(middleError).toBeInstanceOf(DependencyError)
    expect((middleError.cause as Error).message).toBe('root cause')
  })

  it('a hand-made dependency cancelled by hand (never notified) still fails the call at once', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const dependency = new Future<number>()
    const dependent = ex.submit((x: number) => x, dependency)
    dependency.cancel()
    const error = (await rejection(dependent.result())) as DependencyError
    expect(error.cause).toBeInstanceOf(CancelledError)
  })

  it('a failure nobody reads raises no unhandledRejection', async () => {
    const seen: unknown[] = []
    const onUnhandled = (reason: unknown): void => {
      seen.push(reason)
    }
    process.on('unhandledRejection', onUnhandled)
    try {
      const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
      const failing = ex.submit(() => {
        throw new Error('nobody reads this')
      })
      ex.submit((x: unknown) => x, failing)
      await ex.shutdown()
      await sleep(20)
      expect(seen).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('inside the call, currentTask() is the call the executor runs (its id is not the id of the future you hold)', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const first = ex.submit(() => 1)
    const dependent = ex.submitWith({ name: 'second' }, (x: number) => ({ x, name: currentTask()?.name }), first)
    expect(await dependent).toEqual({ x: 1, name: 'second' })
  })

  it('publishes future:submit for the waiting call, then dependency:start and dependency:end', async () => {
    const submits = listen<FutureSubmitEvent>(channelNames.futureSubmit)
    const starts = listen<DependencyStartEvent>(channelNames.dependencyStart)
    const ends = listen<DependencyEndEvent>(channelNames.dependencyEnd)
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const a = ex.submit(() => 1)
    const b = ex.submit((x: number, y: number) => x + y, a, a)
    const never = new Future<number>()
    const c = ex.submit((x: number) => x, never)
    const d = ex.submit((x: number) => x, ex.submit(() => Promise.reject(new Error('no'))))
    c.cancel()
    await b
    await rejection(d.result())
    expect(submits.map((e) => e.futureId)).toEqual(expect.arrayContaining([b.id, c.id, d.id]))
    expect(starts).toEqual([
      { futureId: b.id, executorId: ex.id, dependencyIds: [a.id] },
      { futureId: c.id, executorId: ex.id, dependencyIds: [never.id] },
      expect.objectContaining({ futureId: d.id }),
    ])
    expect(ends).toEqual(
      expect.arrayContaining([
        { futureId: b.id, reason: 'ready' },
        { futureId: c.id, reason: 'cancelled' },
        { futureId: d.id, reason: 'failed' },
      ]),
    )
  })

  it('refuses a bad callable at once, as submit() does', () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const dependency = new Future()
    const submit = ex.submit.bind(ex) as (...args: unknown[]) => unknown
    expect(() => submit(42, dependency)).toThrow(TypeError)
    expect(ex.stats().queued).toBe(0)
  })
})
