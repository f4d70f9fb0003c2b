// Work submitted from inside a child (currentTask().executor), the diagnostics events for tasks in
// children (waits included, with reject() delivered back into the child), and lendWorker().
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelNames } from '@x/future'
import type {
  ExecutorCreateEvent,
  ExecutorShutdownEvent,
  FutureFinishEvent,
  FutureStartEvent,
  FutureSubmitEvent,
  WaitEndEvent,
  WaitStartEvent,
} from '@x/future'
import { ProcessPoolExecutor } from '@x/process-pool'
import { cleanupLatches, latch, rejection, t, tasksUrl, until } from './helpers.js'

let pool: ProcessPoolExecutor

beforeAll(() => {
  pool = new ProcessPoolExecutor({ maxWorkers: 2 })
})

afterAll(async () => {
  await pool.shutdown()
  cleanupLatches()
})

/** Subscribes to a channel for the duration of `fn`. */
async function listen<T>(channel: string, fn: (events: T[]) => Promise<void>): Promise<T[]> {
  const events: T[] = []
  const onEvent = (m: unknown): void => {
    events.push(m as T)
  }
  diagnosticsChannel.subscribe(channel, onEvent)
  try {
    await fn(events)
  } finally {
    diagnosticsChannel.unsubscribe(channel, onEvent)
  }
  return events
}

describe('nested work from inside a child', () => {
  it('currentTask().executor.submit() in a child runs on the same pool and can be awaited there', async () => {
    expect(await pool.submit(t('nestedDouble'), 20)).toBe(41)
    expect(await pool.submit(t('nestedSubmitsTask'), String(tasksUrl), 9)).toBe(81)
  })

  it('stats() counts the calls a child submitted, and times them once timing is on', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    try {
      p.stats() // timing on
      expect(await p.submit(t('nestedDouble'), 20)).toBe(41)
      const stats = p.stats()
      // the outer call and the call it submitted from inside its child
      expect(stats).toMatchObject({ completed: 2, failed: 0, running: 0, queued: 0 })
      expect(stats.runTime.count).toBe(2)
      expect(stats.waitTime.count).toBe(2)
    } finally {
      await p.shutdown()
    }
  })

  it('map() and wait() work from inside a child', async () => {
    expect(await pool.submit(t('nestedMap'), [1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25])
    expect(await pool.submit(t('nestedWait'), 10)).toEqual({ done: 2, notDone: 0, sum: 23 })
  })

  it('a nested argument that cannot be sent fails that nested future alone, inside the child', async () => {
    expect(await pool.submit(t('nestedUnsendable'))).toMatch(
      /^SerializationError: an argument of the nested call "anonymous" cannot be sent to the parent process: Symbol\(stays here\) could not be cloned/,
    )
    expect(await pool.submit(t('nestedDouble'), 1)).toBe(3)
  })

  it('currentTask() in a child names the task by its future id in the parent', async () => {
    const f = pool.submitWith({ name: 'who' }, t('context'))
    expect(await f).toEqual({ id: f.id, name: 'who', kind: 'process' })
  })

  it('an Executor passed from inside a child is refused with a TypeError naming currentTask().executor', async () => {
    const error = (await rejection(pool.submit(t('passExecutor')))) as Error
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/Executor.*currentTask\(\)\.executor/s)
  })

  it('nested submissions are published with the submitting task as caller', async () => {
    const submits = await listen<FutureSubmitEvent>(channelNames.futureSubmit, async () => {
      await pool.submit(t('nestedDouble'), 1)
    })
    const mine = submits.filter((e) => e.executorId === pool.id)
    expect(mine).toHaveLength(2)
    expect(mine[1]?.callerTaskId).toBe(mine[0]?.futureId)
  })
})

describe('diagnostics events for tasks in children', () => {
  it('submit, start (with a worker id) and finish are published by the parent', async () => {
    const starts: FutureStartEvent[] = []
    const finishes: FutureFinishEvent[] = []
    const onStart = (m: unknown): void => {
      starts.push(m as FutureStartEvent)
    }
    const onFinish = (m: unknown): void => {
      finishes.push(m as FutureFinishEvent)
    }
    diagnosticsChannel.subscribe(channelNames.futureStart, onStart)
    diagnosticsChannel.subscribe(channelNames.futureFinish, onFinish)
    try {
      const ok = pool.submit(t('square'), 3)
      const bad = pool.submit(t('failCustom'), 'x')
      await ok
      await rejection(bad)
      expect(starts.filter((e) => e.futureId === ok.id || e.futureId === bad.id)).toHaveLength(2)
      expect(starts.find((e) => e.futureId === ok.id)).toMatchObject({ executorId: pool.id, workerId: expect.any(Number) as unknown })
      expect(finishes.find((e) => e.futureId === ok.id)).toMatchObject({ failed: false })
      expect(finishes.find((e) => e.futureId === bad.id)).toMatchObject({ failed: true })
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.futureStart, onStart)
      diagnosticsChannel.unsubscribe(channelNames.futureFinish, onFinish)
    }
  })

  it('future:start means the child runs it: one running task per worker, even with tasks sent ahead', async () => {
    const running = new Map<number, Set<number>>()
    const workerOf = new Map<number, number>()
    let most = 0
    let started = 0
    const onStart = (m: unknown): void => {
      const event = m as FutureStartEvent
      if (event.executorId !== pool.id) return
      started++
      const set = running.get(event.workerId) ?? new Set<number>()
      set.add(event.futureId)
      running.set(event.workerId, set)
      workerOf.set(event.futureId, event.workerId)
      most = Math.max(most, set.size)
    }
    const onFinish = (m: unknown): void => {
      const event = m as FutureFinishEvent
      const worker = workerOf.get(event.futureId)
      if (worker !== undefined) running.get(worker)?.delete(event.futureId)
    }
    // learn that the function is short, so later tasks are sent ahead in batches
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.submit(t('square'), i)))
    diagnosticsChannel.subscribe(channelNames.futureStart, onStart)
    diagnosticsChannel.subscribe(channelNames.futureFinish, onFinish)
    try {
      const fs = Array.from({ length: 400 }, (_, i) => pool.submit(t('square'), i))
      await Promise.all(fs)
      expect(started).toBe(400)
      expect(most).toBe(1)
      expect([...running.values()].every((set) => set.size === 0)).toBe(true)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.futureStart, onStart)
      diagnosticsChannel.unsubscribe(channelNames.futureFinish, onFinish)
    }
  })

  it('shutdown() from a task in a child is published with the task as caller (shutdown-from-task)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    const events = await listen<ExecutorShutdownEvent>(channelNames.executorShutdown, async (seen) => {
      const f = p.submit(t('shutdownFromTask'), true)
      expect(await f).toMatch(/cannot join current thread/)
      await p.shutdown()
      expect(seen[0]).toEqual({ executorId: p.id, wait: true, cancelFutures: false, callerTaskId: f.id })
    })
    expect(events).toHaveLength(2)
  })

  it('a wait inside a child is published in the parent with parent ids, and ends', async () => {
    const ends: WaitEndEvent[] = []
    const onEnd = (m: unknown): void => {
      ends.push(m as WaitEndEvent)
    }
    diagnosticsChannel.subscribe(channelNames.waitEnd, onEnd)
    let outer: { id: number } | undefined
    const submits: FutureSubmitEvent[] = []
    const onSubmit = (m: unknown): void => {
      submits.push(m as FutureSubmitEvent)
    }
    diagnosticsChannel.subscribe(channelNames.futureSubmit, onSubmit)
    const gate = latch()
    try {
      // The nested task waits for a latch until the parent has published the child's wait: a
      // nested task that finished before the child's wait message is read is done, and a wait on
      // a done future is rightly not published.
      const starts = await listen<WaitStartEvent>(channelNames.waitStart, async (events) => {
        const f = pool.submit(t('nestedBlocked'), gate.path)
        outer = f
        await until(() => events.some((e) => e.taskId === f.id), 'the wait in the child')
        gate.release()
        expect(await f).toEqual({ value: 'inner' })
      })
      const inner = submits.find((e) => e.callerTaskId === outer?.id)
      expect(inner).toBeDefined()
      const childWait = starts.find((e) => e.taskId === outer?.id)
      expect(childWait).toMatchObject({ mode: 'all', futureIds: [inner?.futureId] })
      expect(childWait?.stack).toBeTypeOf('string')
      // the child reports the end of its wait on its own message, which may come after the result
      await until(() => ends.some((e) => e.waitId === childWait?.waitId), 'the wait to end')
      expect(ends.find((e) => e.waitId === childWait?.waitId)).toMatchObject({ reason: 'settled' })
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.waitEnd, onEnd)
      diagnosticsChannel.unsubscribe(channelNames.futureSubmit, onSubmit)
    }
  })

  it("reject() on a child's wait rejects the await inside the child, keeping the error's name and report", async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    const gate = latch()
    try {
      const report = { kind: 'starvation', cycle: [1, 2], text: 'every worker waits' }
      const starts = await listen<WaitStartEvent>(channelNames.waitStart, async (events) => {
        const outer = p.submit(t('nestedBlocked'), gate.path)
        // the only child waits on a nested task that cannot start: a starvation the detector would report
        await until(() => events.some((e) => e.taskId === outer.id), 'the wait in the child')
        const wait = events.find((e) => e.taskId === outer.id)
        if (wait === undefined) throw new Error('no wait event')
        const error = Object.assign(new Error('deadlock: every worker waits'), { report })
        error.name = 'DeadlockError'
        wait.reject(error)
        expect(await outer).toEqual({ name: 'DeadlockError', message: 'deadlock: every worker waits', report })
      })
      expect(starts.length).toBeGreaterThan(0)
    } finally {
      gate.release()
      await p.shutdown()
    }
  })

  it('lendWorker() runs one extra child beyond maxWorkers, so a starved nested task can run', async () => {
    const lenders: ExecutorCreateEvent[] = []
    const onCreate = (m: unknown): void => {
      lenders.push(m as ExecutorCreateEvent)
    }
    diagnosticsChannel.subscribe(channelNames.executorCreate, onCreate)
    let p: ProcessPoolExecutor | undefined
    try {
      p = new ProcessPoolExecutor({ maxWorkers: 1 })
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.executorCreate, onCreate)
    }
    const created = lenders.find((e) => e.executorId === p.id)
    expect(created).toMatchObject({ kind: 'process', maxWorkers: 1 })
    const gate = latch()
    try {
      const outer = p.submit(t('nestedBlocked'), gate.path)
      // the nested task cannot start: the only child waits for it
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(gate.started()).toBe(0)
      const release = created?.lendWorker()
      expect(release).toBeTypeOf('function')
      await until(() => gate.started() === 1, 'the nested task to start on the lent child')
      expect(p.pids).toHaveLength(2)
      gate.release()
      expect(await outer).toEqual({ value: 'inner' })
      release?.()
      release?.()
      // the lent child goes away once idle
      await until(() => p.pids.length === 1, 'the lent child to go')
      // the cap: at most maxWorkers extra children
      const second = created?.lendWorker()
      expect(second).toBeTypeOf('function')
      expect(created?.lendWorker()).toBeUndefined()
      second?.()
    } finally {
      gate.release()
      await p.shutdown()
    }
  })
})
