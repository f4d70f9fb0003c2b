// `await future` and `Promise.all(futures)`: V8 calls `future.then(resolve, reject)` with a
// promise's resolving functions, which the future calls itself once it is done, without a
// promise of its own (direct-then.ts). Other callbacks keep the promise path.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CancelledError, channelNames, Future } from '../src/index.js'
import type { WaitStartEvent } from '../src/index.js'
import { rejection } from './helpers.js'

const subscriptions: [string, (message: unknown) => void][] = []
afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener)
})

function started<T>(): Future<T> {
  const f = new Future<T>()
  f.setRunningOrNotifyCancel()
  return f
}

describe('await and Promise.all on a pending future', () => {
  it('take no promise of the future, and get its result', async () => {
    const f = started<number>()
    const result = vi.spyOn(f, 'result')
    const all = Promise.all([f, f])
    const awaited = (async () => await f)()
    await Promise.resolve() // V8 calls then() in a job
    f.setResult(5)
    expect(await all).toEqual([5, 5])
    expect(await awaited).toBe(5)
    expect(result).not.toHaveBeenCalled()
  })

  it('resume the waiters in the order they started to wait', async () => {
    const f = started<string>()
    const order: string[] = []
    const waiters = ['a', 'b', 'c'].map(async (name) => {
      order.push(`${name}: ${await f}`)
    })
    await Promise.resolve()
    f.setResult('ok')
    await Promise.all(waiters)
    expect(order).toEqual(['a: ok', 'b: ok', 'c: ok'])
  })

  it('reject with the error of a failed future, for one waiter and for several', async () => {
    const boom = new RangeError('boom')
    const one = started<number>()
    const alone = rejection(one)
    const several = started<number>()
    const first = rejection(several)
    const all = rejection(Promise.all([several, several]))
    await Promise.resolve()
    one.setException(boom)
    several.setException(boom)
    expect(await alone).toBe(boom)
    expect(await first).toBe(boom)
    expect(await all).toBe(boom)
  })

  it('reject with CancelledError when the future is cancelled', async () => {
    const f = new Future<number>({ name: 'job' })
    const a = rejection(f)
    const b = rejection(Promise.all([f]))
    await Promise.resolve()
    expect(f.cancel()).toBe(true)
    expect(await a).toBeInstanceOf(CancelledError)
    expect(await b).toBeInstanceOf(CancelledError)
  })

  it('are still published as a wait while someone listens to wait:start', async () => {
    const events: WaitStartEvent[] = []
    const listener = (event: unknown): void => {
      events.push(event as WaitStartEvent)
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    subscriptions.push([channelNames.waitStart, listener])
    const f = started<number>()
    const all = Promise.all([f])
    await Promise.resolve()
    expect(events.map((e) => e.futureIds)).toEqual([[f.id]])
    f.setResult(1)
    expect(await all).toEqual([1])
  })

  it('take no promise either while someone listens: one published wait per future holds them, shared with result()', async () => {
    const events: WaitStartEvent[] = []
    const ends: unknown[] = []
    const onStart = (event: unknown): void => {
      events.push(event as WaitStartEvent)
    }
    const onEnd = (event: unknown): void => {
      ends.push(event)
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, onStart)
    subscriptions.push([channelNames.waitStart, onStart])
    diagnosticsChannel.subscribe(channelNames.waitEnd, onEnd)
    subscriptions.push([channelNames.waitEnd, onEnd])
    const f = started<number>()
    const result = vi.spyOn(f, 'result')
    const all = Promise.all([f, f])
    const awaited = (async () => await f)()
    await Promise.resolve() // V8 calls then() in a job
    expect(result).not.toHaveBeenCalled()
    result.mockRestore()
    const viaResult = f.result()
    expect(events.map((e) => [e.taskId, e.futureIds, e.ended])).toEqual([[undefined, [f.id], false]])
    f.setResult(4)
    expect(await all).toEqual([4, 4])
    expect(await awaited).toBe(4)
    expect(await viaResult).toBe(4)
    expect(events[0]?.ended).toBe(true)
    expect(ends).toEqual([{ waitId: events[0]?.waitId, reason: 'settled' }])
  })

  it('reject when a subscriber rejects the published wait, also from inside its publish', async () => {
    const error = new Error('rejected by a subscriber')
    const events: WaitStartEvent[] = []
    let rejectAtOnce = true
    const listener = (event: unknown): void => {
      events.push(event as WaitStartEvent)
      if (rejectAtOnce) (event as WaitStartEvent).reject(error)
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    subscriptions.push([channelNames.waitStart, listener])
    const f = started<number>()
    expect(await rejection(f)).toBe(error)
    expect(await rejection(Promise.all([f]))).toBe(error)
    rejectAtOnce = false
    const all = rejection(Promise.all([f, f]))
    const awaited = rejection(f)
    await Promise.resolve()
    expect(events).toHaveLength(3)
    events[2]?.reject(error)
    expect(await all).toBe(error)
    expect(await awaited).toBe(error)
    // the future is untouched; the next await is a new wait
    expect(f.state).toBe('RUNNING')
    const next = Promise.all([f])
    await Promise.resolve()
    expect(events).toHaveLength(4)
    f.setResult(2)
    expect(await next).toEqual([2])
  })
})

describe('then() with callbacks of the caller', () => {
  it('runs them in a job after the future is done, not inside setResult(), even anonymous ones of one parameter', async () => {
    const f = started<number>()
    const seen: unknown[] = []
    const chained = f.then(
      (value) => seen.push(value),
      (error: unknown) => seen.push(error),
    )
    f.setResult(3)
    expect(seen).toEqual([])
    expect(await chained).toBe(1)
    expect(seen).toEqual([3])
  })

  it('keeps the promise path for bound functions and proxies, which read as native code too', async () => {
    const f = started<number>()
    const seen: string[] = []
    const bound = f.then(
      function (this: string, value: number) {
        seen.push(`${this} ${String(value)}`)
        return 'bound'
      }.bind('b'),
      (() => undefined).bind(null),
    )
    const handler = {}
    const proxied = f.then(
      new Proxy((value: number) => (seen.push(`p ${String(value)}`), 'proxy'), handler),
      new Proxy(() => undefined, handler),
    )
    f.setResult(2)
    expect(seen).toEqual([])
    expect(await Promise.all([bound, proxied])).toEqual(['bound', 'proxy'])
    expect(seen).toEqual(['b 2', 'p 2'])
  })

  it('returns a promise of what they return, also when handed a mix of a resolving function and a callback', async () => {
    const f = started<number>()
    let resolve!: (value: unknown) => void
    const outer = new Promise((r) => {
      resolve = r
    })
    const chained = f.then(resolve, (error: unknown) => `caught ${String(error)}`)
    f.setException('bad')
    expect(await chained).toBe('caught bad')
    const g = started<number>()
    void g.then(resolve, () => undefined)
    g.setResult(8)
    expect(await outer).toBe(8)
  })
})
