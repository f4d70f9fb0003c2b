// The contract points of DESIGN.md's "@x/distributed" that the conformance suite does not cover.
import diagnosticsChannel from 'node:diagnostics_channel'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelledError, channels, task, wait } from '@x/future'
import type { FutureStartEvent } from '@x/future'
import { Queue } from 'bullmq'
import { DistributedExecutor, OutsideRootError, type SourceNotAllowedError } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, outside, requireRedisInCi, root, startWorker, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const tasks = new URL('tasks.mjs', root)
const echo = task<(value: unknown) => unknown>(tasks, 'echo')
const add = task<(a: number, b: number) => number>(tasks, 'add')
const fail = task<() => never>(tasks, 'fail')
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(tasks, 'recordThenWait')

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [])

describe.skipIf(!hasRedis)('DistributedExecutor: values, errors, states', () => {
  const queue = freshQueue('contract')
  let dir = ''
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'x-dist-'))
    await startWorker({ queue, concurrency: 2 }) // no allowSource
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const make = (maxWorkers?: number): DistributedExecutor =>
    new DistributedExecutor({ connection: REDIS_URL, queue, root, ...(maxWorkers === undefined ? {} : { maxWorkers }) })

  it('round-trips BigInt, Map, Set, Date, typed arrays, undefined fields and nested structures', async () => {
    await using ex = make(2)
    const value = {
      big: -(2n ** 100n),
      map: new Map<unknown, unknown>([[1, new Date(86_400_000)], ['k', new Set([1n, 'x'])]]),
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([0.5, Number.NaN, -0]),
      missing: undefined,
      nested: [{ deep: [null, new Date(0)] }],
      re: /a+b/giu,
    }
    const back = (await ex.submit(echo, value)) as typeof value
    expect(back).toEqual(value)
    expect(back.map.get(1)).toBeInstanceOf(Date)
    expect(back.bytes).toBeInstanceOf(Uint8Array)
    expect(Object.hasOwn(back, 'missing')).toBe(true)
    expect(await ex.submit(add, 20, 22)).toBe(42)
  })

  it("keeps a task's error: class, name, message, code, own properties, cause, remote stack", async () => {
    await using ex = make(1)
    const error = (await ex.submit(fail).exception()) as RangeError & { code: string; limit: bigint }
    expect(error).toBeInstanceOf(RangeError)
    expect(error.name).toBe('RangeError')
    expect(error.message).toBe('over quota')
    expect(error.code).toBe('E_QUOTA')
    expect(error.limit).toBe(10n)
    expect(error.cause).toBeInstanceOf(TypeError)
    expect((error.cause as Error).message).toBe('inner')
    expect(error.stack).toContain('fixtures/root/tasks.mjs')
  })

  it('chunked map: one job per chunk, results in input order', async () => {
    await using ex = make(2)
    const xs = Array.from({ length: 50 }, (_, i) => i)
    const out: number[] = []
    for await (const r of ex.map(add, xs, xs, { chunksize: 7 })) out.push(r)
    expect(out).toEqual(xs.map((x) => 2 * x))
  })

  it('a task module outside root is refused at submit()', async () => {
    await using ex = make(1)
    const stray = task(new URL('tasks.mjs', outside), 'add')
    expect(() => ex.submit(stray, 1, 2)).toThrow(OutsideRootError)
    try {
      ex.submit(stray, 1, 2)
    } catch (error) {
      expect((error as OutsideRootError).code).toBe('ERR_OUTSIDE_ROOT')
      expect((error as Error).message).toContain('outside the executor')
    }
  })

  it('function source is refused by a worker started without allowSource', async () => {
    await using ex = make(1)
    const error = (await ex.submit((a: number) => a + 1, 1).exception()) as SourceNotAllowedError
    expect(error.name).toBe('SourceNotAllowedError')
    expect(error.code).toBe('ERR_SOURCE_NOT_ALLOWED')
    expect(error.message).toContain('--allow-source')
  })

  it('RUNNING while a job runs; pending-only cancel while every slot is busy; nothing cancelled runs', async () => {
    await using ex = make(2)
    const record = join(dir, 'runs')
    const latch = join(dir, 'latch')
    const running = [1, 2].map((n) => ex.submit(recordThenWait, record, latch, n))
    const queued = [3, 4, 5].map((n) => ex.submit(recordThenWait, record, latch, n))
    try {
      // handed to BullMQ once connected: RUNNING (at most maxWorkers of them); the rest stay PENDING here
      await until(() => running.every((f) => f.running()), 'the first two to be handed over')
      expect(queued.map((f) => f.state)).toEqual(['PENDING', 'PENDING', 'PENDING'])
      await until(() => existsSync(record) && readFileSync(record, 'utf8').split('\n').length > 2, 'both jobs to start')
      expect(running.map((f) => f.cancel())).toEqual([false, false])
      expect(queued[0]?.cancel()).toBe(true)
      expect(queued[2]?.cancel()).toBe(true)
      expect(queued[0]?.state).toBe('CANCELLED_AND_NOTIFIED')
      await expect(queued[0]?.result()).rejects.toBeInstanceOf(CancelledError)
    } finally {
      writeFileSync(latch, 'go')
    }
    expect(await Promise.all([...running, queued[1]])).toEqual([1, 2, 4])
    const { done } = await wait(queued)
    expect(done.size).toBe(3)
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(3) // 1, 2 and 4 ran; 3 and 5 never did
  })

  it('without maxWorkers, two jobs per live slot wait in BullMQ, RUNNING; cancel() stays exact for the PENDING rest', async () => {
    await using ex = make() // one worker of concurrency 2: 2 slots, 4 jobs sent ahead
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const record = join(dir, 'ahead-runs')
    const latch = join(dir, 'ahead-latch')
    const handed = [1, 2, 3, 4, 5, 6].map((n) => ex.submit(recordThenWait, record, latch, n))
    const pending = [7, 8].map((n) => ex.submit(recordThenWait, record, latch, n))
    try {
      await until(() => lines(record).length === 2, 'both slots to start a job')
      await until(async () => (await bull.getWaitingCount()) === 4, 'four jobs waiting in BullMQ')
      expect(handed.map((f) => f.state)).toEqual(Array(6).fill('RUNNING'))
      expect(ex.maxWorkers).toBe(2)
      // sent ahead, as CPython's call queue: RUNNING, so not cancellable, even while it waits for a slot
      expect(handed.map((f) => f.cancel())).toEqual(Array(6).fill(false))
      expect(pending.map((f) => f.state)).toEqual(['PENDING', 'PENDING'])
      expect(pending[1]?.cancel()).toBe(true)
      expect(pending[1]?.state).toBe('CANCELLED_AND_NOTIFIED')
    } finally {
      writeFileSync(latch, 'go')
      await bull.close()
    }
    expect(await Promise.all([...handed, pending[0]])).toEqual([1, 2, 3, 4, 5, 6, 7])
    await expect(pending[1]?.result()).rejects.toBeInstanceOf(CancelledError)
    expect(lines(record)).toHaveLength(7) // 8 never ran
  })

  it('publishes future:start when a worker really starts the job, not when it is handed over', async () => {
    await using ex = make(1)
    const record = join(dir, 'start-runs')
    const latch = join(dir, 'start-latch')
    const starts: FutureStartEvent[] = []
    const onStart = (event: unknown): void => {
      starts.push(event as FutureStartEvent)
    }
    diagnosticsChannel.subscribe(channels.futureStart.name, onStart)
    try {
      const first = ex.submit(recordThenWait, record, latch, 'a')
      const second = ex.submit(recordThenWait, record, latch, 'b')
      await until(() => lines(record).length === 1, 'the first job to start')
      await until(() => starts.length === 1, 'its future:start')
      expect(starts[0]).toMatchObject({ futureId: first.id, executorId: ex.id })
      expect(second.state).toBe('PENDING')
      writeFileSync(latch, 'go')
      expect(await Promise.all([first, second])).toEqual(['a', 'b'])
      expect(starts.map((s) => s.futureId)).toEqual([first.id, second.id])
    } finally {
      writeFileSync(latch, 'go')
      diagnosticsChannel.unsubscribe(channels.futureStart.name, onStart)
    }
  })

  it('without maxWorkers, the window is the capacity the live workers registered', async () => {
    const ex = make()
    expect(await ex.submit(add, 1, 1)).toBe(2)
    expect(ex.maxWorkers).toBe(2)
    await ex.shutdown()
  })

  it('validates its options', () => {
    expect(() => new DistributedExecutor({ queue, root, maxWorkers: 0 })).toThrow(RangeError)
    expect(() => new DistributedExecutor({ queue: 'a:b', root })).toThrow(TypeError)
    expect(() => new DistributedExecutor({ queue, root: 'relative/path' })).toThrow(TypeError)
    expect(() => new DistributedExecutor({ queue, root, retries: -1 })).toThrow(RangeError)
  })
})
