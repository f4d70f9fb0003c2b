// The diagnostics event contract: what Future, wait(), asCompleted() and AsyncPoolExecutor publish.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AsyncPoolExecutor,
  Future,
  FIRST_COMPLETED,
  asCompleted,
  channelNames,
  channels,
  currentTask,
  wait,
} from '../src/index.js'
import type { ExecutorCreateEvent, WaitStartEvent } from '../src/index.js'
import { rejection } from './helpers.js'

interface Recorded { channel: string; event: Record<string, unknown> }

function record(): { events: Recorded[]; stop: () => void } {
  const events: Recorded[] = []
  const listeners = Object.entries(channelNames).map(([key, name]) => {
    const listener = (event: unknown): void => {
      // a copy made now: `stack` is captured only when read during the publish; wait events
      // are class instances whose fields may be accessors (a spread leaves those out): read
      // them by name
      let copy: Record<string, unknown> = { ...(event as Record<string, unknown>) }
      if (key === 'waitStart') {
        const { waitId, taskId, futureIds, mode, timeout, stack } = event as WaitStartEvent
        copy = { waitId, taskId, futureIds, mode, timeout, stack }
      }
      events.push({ channel: key, event: copy })
    }
    diagnosticsChannel.subscribe(name, listener)
    return () => diagnosticsChannel.unsubscribe(name, listener)
  })
  return { events, stop: () => { listeners.forEach((off) => off()); } }
}

let stop: (() => void) | undefined
afterEach(() => {
  stop?.()
  stop = undefined
})

describe('diagnostics events', () => {
  it('channel names are the documented ones', () => {
    expect(Object.fromEntries(Object.entries(channels).map(([k, c]) => [k, c.name]))).toEqual(channelNames)
    expect(channelNames.waitStart).toBe('@x/future:wait:start')
  })

  it('a task that waits on another: create, submit, start, wait start/end with the task id, finish', async () => {
    const recorder = record()
    stop = recorder.stop
    const ex = new AsyncPoolExecutor({ maxWorkers: 2, name: 'io' })
    let outerId = -1
    const outer = ex.submitWith({ name: 'outer' }, async () => {
      outerId = currentTask()?.id ?? -2
      const inner = ex.submitWith({ name: 'inner' }, () => Promise.resolve(21))
      return (await inner.result()) * 2
    })
    expect(await outer).toBe(42)
    await ex.shutdown()
    const kinds = recorder.events.map((e) => e.channel)
    expect(kinds[0]).toBe('executorCreate')
    const create = recorder.events[0]?.event as unknown as ExecutorCreateEvent
    expect(create).toMatchObject({ executorId: ex.id, kind: 'async', name: 'io', maxWorkers: 2 })
    expect(typeof create.lendWorker).toBe('function')
    const submits = recorder.events.filter((e) => e.channel === 'futureSubmit').map((e) => e.event)
    expect(submits).toEqual([
      { futureId: outer.id, executorId: ex.id, name: 'outer', callerTaskId: undefined },
      { futureId: outer.id + 1, executorId: ex.id, name: 'inner', callerTaskId: outer.id },
    ])
    expect(outerId).toBe(outer.id)
    const starts = recorder.events.filter((e) => e.channel === 'futureStart').map((e) => e.event)
    expect(starts.map((s) => s.futureId)).toEqual([outer.id, outer.id + 1])
    const waitStart = recorder.events.find((e) => e.channel === 'waitStart' && e.event.taskId === outer.id)
    expect(waitStart?.event).toMatchObject({ futureIds: [outer.id + 1], mode: 'all', timeout: undefined })
    expect(String(waitStart?.event.stack)).toContain('diagnostics.test')
    expect(String(waitStart?.event.stack)).not.toContain('publishWait')
    const waitId = waitStart?.event.waitId
    expect(recorder.events.find((e) => e.channel === 'waitEnd' && e.event.waitId === waitId)?.event).toEqual({
      waitId,
      reason: 'settled',
    })
    const finishes = recorder.events.filter((e) => e.channel === 'futureFinish').map((e) => e.event)
    expect(finishes).toContainEqual({ futureId: outer.id, failed: false })
    expect(kinds.filter((k) => k === 'executorShutdown')).toHaveLength(1)
  })

  it('reject() ends a wait at once with the given error, for result(), wait() and asCompleted()', async () => {
    const recorder = record()
    stop = recorder.stop
    const rejectNext = (error: Error): void => {
      const listener = (event: unknown): void => {
        diagnosticsChannel.unsubscribe(channelNames.waitStart, listener)
        ;(event as WaitStartEvent).reject(error)
      }
      diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    }
    const f = new Future()
    rejectNext(new Error('from the detector'))
    expect(((await rejection(f.result())) as Error).message).toBe('from the detector')
    rejectNext(new Error('wait rejected'))
    expect(((await rejection(wait([f], { returnWhen: FIRST_COMPLETED }))) as Error).message).toBe('wait rejected')
    rejectNext(new Error('asCompleted rejected'))
    expect(((await rejection(asCompleted([f]).next())) as Error).message).toBe('asCompleted rejected')
    const ends = recorder.events.filter((e) => e.channel === 'waitEnd').map((e) => e.event.reason)
    expect(ends).toEqual(['rejected', 'rejected', 'rejected'])
    // the future itself is untouched
    expect(f.state).toBe('PENDING')
    const modes = recorder.events.filter((e) => e.channel === 'waitStart').map((e) => e.event.mode)
    expect(modes).toEqual(['all', 'any', 'any'])
  })

  it('`ended` turns true when the wait ends; a `reject` taken out of the event works later, once', async () => {
    const seen: WaitStartEvent[] = []
    const rejects: ((error: Error) => void)[] = []
    const listener = (event: unknown): void => {
      const start = event as WaitStartEvent
      expect(start.ended).toBe(false)
      seen.push(start)
      const { reject } = start // destructured: must not depend on `this`
      rejects.push(reject)
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    try {
      const settled = new Future<number>()
      const pending = settled.result()
      const doomed = new Future<number>()
      const rejected = doomed.result()
      expect(seen.map((event) => event.ended)).toEqual([false, false])
      settled.setResult(1)
      expect(await pending).toBe(1)
      expect(seen[0]?.ended).toBe(true)
      rejects[1]?.(new Error('rejected late'))
      expect(((await rejection(rejected)) as Error).message).toBe('rejected late')
      expect(seen[1]?.ended).toBe(true)
      // an ended wait ignores reject(); the future was never touched
      rejects[0]?.(new Error('too late'))
      rejects[1]?.(new Error('twice'))
      expect(doomed.state).toBe('PENDING')
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.waitStart, listener)
    }
  })

  it('a timed wait says its timeout and ends with reason timeout; a cancel is published', async () => {
    const recorder = record()
    stop = recorder.stop
    const f = new Future()
    await rejection(f.result(10))
    const start = recorder.events.find((e) => e.channel === 'waitStart')?.event
    expect(start?.timeout).toBe(10)
    expect(recorder.events.find((e) => e.channel === 'waitEnd')?.event.reason).toBe('timeout')
    f.cancel()
    expect(recorder.events.at(-1)).toEqual({ channel: 'futureCancel', event: { futureId: f.id } })
  })

  it('`await future` publishes the wait too, with a note instead of a hidden wait site', async () => {
    const recorder = record()
    stop = recorder.stop
    const f = new Future<number>()
    setTimeout(() => {
      f.setResult(1)
    }, 5)
    expect(await f).toBe(1)
    const start = recorder.events.find((e) => e.channel === 'waitStart')?.event
    expect(start?.futureIds).toEqual([f.id])
    expect(String(start?.stack)).toMatch(/diagnostics\.test|wait site not recorded/)
  })

  it('the wait site is captured only when read during the publish', async () => {
    let late: WaitStartEvent | undefined
    const listener = (event: unknown): void => {
      late = event as WaitStartEvent
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    try {
      const f = new Future()
      setTimeout(() => {
        f.setResult(1)
      }, 5)
      await f.result()
      expect(late?.stack).toMatch(/wait site not recorded: read `stack` while the event is being published/)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.waitStart, listener)
    }
  })

  it('captureStack() during the publish keeps the wait site; stack formats it on a later read', async () => {
    const kept: WaitStartEvent[] = []
    const listener = (event: unknown): void => {
      const start = event as WaitStartEvent
      start.captureStack?.()
      kept.push(start)
    }
    diagnosticsChannel.subscribe(channelNames.waitStart, listener)
    try {
      const f = new Future()
      const g = new Future()
      async function waitsHere(): Promise<void> {
        await f.result()
      }
      const waiting = waitsHere()
      const grouped = wait([f, g]) // a wait() event too
      f.setResult(1)
      g.setResult(2)
      await waiting
      await grouped
      expect(kept).toHaveLength(2)
      expect(kept[0]?.stack).toContain('waitsHere')
      expect(kept[1]?.stack).toContain('diagnostics.test')
      for (const event of kept) expect(event.stack).not.toContain('not recorded')
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.waitStart, listener)
    }
  })

  it('a done future creates no wait', async () => {
    const recorder = record()
    stop = recorder.stop
    const f = new Future<number>()
    f.setResult(1)
    await f
    await wait([f])
    expect(recorder.events.filter((e) => e.channel === 'waitStart')).toEqual([])
  })

  it('lendWorker lets one more task run beyond maxWorkers until it is given back', async () => {
    let create: ExecutorCreateEvent | undefined
    const listener = (event: unknown): void => {
      create = event as ExecutorCreateEvent
    }
    diagnosticsChannel.subscribe(channelNames.executorCreate, listener)
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    diagnosticsChannel.unsubscribe(channelNames.executorCreate, listener)
    let release!: () => void
    const blocker = ex.submit(() => new Promise<void>((resolve) => (release = resolve)))
    const queued = ex.submit(() => 'ran')
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(queued.state).toBe('PENDING')
    const giveBack = create?.lendWorker()
    expect(typeof giveBack).toBe('function')
    expect(await queued).toBe('ran')
    giveBack?.()
    release()
    await blocker
    await ex.shutdown()
  })
})
