// Untimed waits on a pending future (`await future`, `Promise.all(futures)`, `result()`) share one
// promise while nobody listens to wait events; timed waits and published waits keep their own.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { CancelledError, Future, channelNames, TimeoutError, withTaskContext } from '../src/index.js'
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

  it('are published once, as one wait, outside any task while someone listens to wait:start', async () => {
    const events: WaitStartEvent[] = []
    listen(channelNames.waitStart, (event) => events.push(event as WaitStartEvent))
    const ends: unknown[] = []
    listen(channelNames.waitEnd, (event) => ends.push(event))
    const f = new Future<number>()
    const a = f.result()
    const b = f.then((v) => v)
    expect(f.result()).toBe(a)
    expect(events.map((e) => [e.taskId, e.futureIds, e.mode, e.timeout])).toEqual([[undefined, [f.id], 'all', undefined]])
    expect(events[0]?.ended).toBe(false)
    f.setRunningOrNotifyCancel()
    f.setResult(7)
    expect(await Promise.all([a, b])).toEqual([7, 7])
    expect(events[0]?.ended).toBe(true)
    expect(ends).toEqual([{ waitId: events[0]?.waitId, reason: 'settled' }])
  })

  it('are published each with its own promise inside a task (the deadlock detector analyses those)', async () => {
    const events: WaitStartEvent[] = []
    listen(channelNames.waitStart, (event) => events.push(event as WaitStartEvent))
    const f = new Future<number>()
    const task = { id: 999_999, name: 'waiter', signal: new AbortController().signal, executor: undefined as never }
    const [a, b] = withTaskContext(task, () => [f.result(), f.result()])
    expect(b).not.toBe(a)
    expect(events.map((e) => e.taskId)).toEqual([999_999, 999_999])
    f.setRunningOrNotifyCancel()
    f.setResult(7)
    expect(await Promise.all([a, b])).toEqual([7, 7])
  })

  it('all reject when a subscriber rejects their published wait; the next wait is a new one', async () => {
    const events: WaitStartEvent[] = []
    listen(channelNames.waitStart, (event) => events.push(event as WaitStartEvent))
    const f = new Future<number>()
    const a = f.result()
    const b = f.then(() => 'resolved', (reason: unknown) => reason)
    const error = new Error('rejected by a subscriber')
    events[0]?.reject(error)
    expect(await rejection(a)).toBe(error)
    expect(await b).toBe(error)
    expect(events[0]?.ended).toBe(true)
    const c = f.result()
    expect(c).not.toBe(a)
    expect(events).toHaveLength(2)
    f.setRunningOrNotifyCancel()
    f.setResult(1)
    expect(await c).toBe(1)
  })

  it('end with CancelledError when cancelled, and with the outcome when the future is done while published', async () => {
    listen(channelNames.waitStart, () => undefined)
    const gone = new Future<number>({ name: 'gone' })
    const waits = [gone.result(), Promise.all([gone]), gone.then((v) => v)].map(rejection)
    gone.cancel()
    for (const error of [...(await Promise.all(waits)), await rejection(gone.result())]) expect(error).toBeInstanceOf(CancelledError)
    // a subscriber that finishes the future while its wait:start is being published
    const early = new Future<string>()
    const failing = new Future<string>()
    const boom = new RangeError('boom')
    listen(channelNames.waitStart, (event) => {
      const ids = (event as WaitStartEvent).futureIds
      if (ids[0] === early.id && !early.running() && !early.done()) {
        early.setRunningOrNotifyCancel()
        early.setResult('early')
      }
      if (ids[0] === failing.id && !failing.done()) {
        failing.setRunningOrNotifyCancel()
        failing.setException(boom)
      }
    })
    expect(await early.result()).toBe('early')
    expect(await rejection(failing.result())).toBe(boom)
  })
})

