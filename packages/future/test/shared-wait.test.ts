// Untimed waits on a pending future (`await future`, `Promise.all(futures)`, `result()`) share one
// promise while nobody listens to wait events; timed waits and published waits keep their own.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { CancelledError, Future, channelNames, TimeoutError } from '../src/index.js'
import type { WaitStartEvent } from '../src/index.js'
import { rejection } from './helpers.js'

const subscriptions: [string, (message: unknown) => void][] = []
function listen(name: string, listener: (message: unknown) => void): void {
  diagnosticsChannel.subscribe(name, listener)
  subscriptions.push([name, listener])
}
afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener)
})

describe('untimed waits on a pending future', () => {
  it('share one promise, which resolves with the result for every waiter', async () => {
    const f = new Future<number>()
    const first = f.result()
    expect(f.result()).toBe(first)
    const viaThen = f.then((v) => v * 2)
    const all = Promise.all([f, f])
    f.setRunningOrNotifyCancel()
    f.setResult(21)
    expect(await first).toBe(21)
    expect(await viaThen).toBe(42)
    expect(await all).toEqual([21, 21])
    expect(await f).toBe(21)
    // once done, a new settled promise
    expect(f.result()).not.toBe(first)
  })

  it('reject with the task error, for then() and result() alike', async () => {
    const f = new Future<number>()
    const a = f.result()
    const b = f.then(() => 'no', (error: unknown) => error)
    f.setRunningOrNotifyCancel()
    const boom = new RangeError('boom')
    f.setException(boom)
    expect(await rejection(a)).toBe(boom)
    expect(await b).toBe(boom)
  })

  it('reject with CancelledError when the future is cancelled', async () => {
    const f = new Future<number>({ name: 'job' })
    const a = f.result()
    const b = rejection(f)
    expect(f.cancel()).toBe(true)
    const error = await rejection(a)
    expect(error).toBeInstanceOf(CancelledError)
    expect(await b).toBeInstanceOf(CancelledError)
  })

  it('settle in the order they were made, before the done-callbacks return', async () => {
    const f = new Future<number>()
    const order: string[] = []
    void f.then(() => order.push('then 1'))
    void f.result().then(() => order.push('result'))
    void f.then(() => order.push('then 2'))
    f.addDoneCallback(() => order.push('callback'))
    f.setRunningOrNotifyCancel()
    f.setResult(1)
    expect(order).toEqual(['callback'])
    await f
    expect(order).toEqual(['callback', 'then 1', 'result', 'then 2'])
  })

  it('leave timed waits on their own: a timeout rejects only its own wait', async () => {
    const f = new Future<number>()
    const shared = f.result()
    const timed = f.result(5)
    expect(timed).not.toBe(shared)
    expect(await rejection(timed)).toBeInstanceOf(TimeoutError)
    f.setRunningOrNotifyCancel()
    f.setResult(3)
    expect(await shared).toBe(3)
  })

  it('are each published, with their own promise, while someone listens to wait:start', async () => {
    const events: WaitStartEvent[] = []
    listen(channelNames.waitStart, (event) => events.push(event as WaitStartEvent))
    const f = new Future<number>()
    const a = f.result()
    const b = f.result()
    expect(b).not.toBe(a)
    expect(events.map((e) => e.futureIds)).toEqual([[f.id], [f.id]])
    f.setRunningOrNotifyCancel()
    f.setResult(7)
    expect(await Promise.all([a, b])).toEqual([7, 7])
  })
})
