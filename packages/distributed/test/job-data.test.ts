// A job's data as BullMQ stores it: this version's compact form (short keys, defaults left out,
// no result list), and a worker of this version running jobs of the previous version's executor
// (`{ p, r, q, n }`, the payload in its full form), which it must keep reading.
import { serialize } from 'node:v8'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future } from '@x/future'
import { serve } from '@x/distributed'
import { newItem, toJobs } from '../src/item.js'
import { decodePayload, encodePayload, readJobData } from '../src/job-data.js'
import { decodeEnvelope, keys } from '../src/protocol.js'
import type { JobPayload } from '../src/protocol.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const inc = { kind: 'task', path: 'tasks.mjs', exportName: 'inc', name: 'inc' } as const

describe('job data', () => {
  it('writes a tiny call with short keys and its defaults left out', () => {
    const payload: JobPayload = { fn: inc, args: [1], chunk: false, futureId: 7, name: 'inc' }
    expect(encodePayload(payload)).toStrictEqual({ m: 'tasks.mjs', e: 'inc', a: [1], i: 7 })
    const item = newItem(new Future(), inc, encodePayload(payload), 'abcdefghijklmnop-7', false)
    expect(toJobs([item])[0]?.data).toEqual({ d: encodePayload(payload) })
    const abortable = newItem(new Future(), inc, '', 'abcdefghijklmnop-8', true)
    expect(toJobs([abortable])[0]?.data).toEqual({ d: '', a: 1 })
  })

  it('decodes back every field that differs from its default', () => {
    const cases: JobPayload[] = [
      { fn: inc, args: [1], chunk: false, futureId: 1, name: 'inc' },
      { fn: inc, args: [[1], [2]], chunk: true, futureId: 2, name: 'mine' },
      { fn: inc, args: [], chunk: false, futureId: 3, name: undefined },
      { fn: { ...inc, name: 'other' }, args: [10n], chunk: false, futureId: 4, name: 'other' },
      { fn: { kind: 'source', source: '(a) => a', name: 'f' }, args: ['x'], chunk: false, futureId: 5, name: 'f' },
      { fn: { kind: 'source', source: '(a) => a', name: '' }, args: [new Map()], chunk: false, futureId: 6, name: 'named' },
    ]
    for (const payload of cases) expect(decodePayload(encodePayload(payload))).toEqual(payload)
  })

  it("decodes the previous version's payloads (full form, JSON and v8) and reads its job data", () => {
    const old: JobPayload = { fn: inc, args: [1], chunk: false, futureId: 9, name: 'inc' }
    expect(decodePayload(JSON.stringify(old))).toEqual(old)
    const oldV8 = { ...old, args: [10n] }
    expect(decodePayload(serialize(oldV8).toString('base64'))).toEqual(oldV8)
    expect(readJobData({ p: 'P', r: 'R', q: 1, n: 1 }, 'abcdefghijklmnop-9', 'q1')).toEqual({ payload: 'P', reply: 'R', quiet: true, abortable: false })
    expect(readJobData({ p: 'P', r: 'R' }, 'abcdefghijklmnop-9', 'q1')).toEqual({ payload: 'P', reply: 'R', quiet: false, abortable: true })
    expect(readJobData({ d: 'D' }, 'abcdefghijklmnop-9', 'q1')).toEqual({ payload: 'D', reply: keys('q1').results('abcdefghijklmnop'), quiet: true, abortable: false })
    // a job some other program put on the queue: a clear error, which fails that job only
    expect(() => decodePayload(readJobData({}, 'abcdefghijklmnop-9', 'q1').payload)).toThrow(new TypeError(
      'this job carries no payload (its data has neither `d` nor `p`): jobs on a queue that x-worker or serve() serves must be added by a DistributedExecutor',
    ))
    expect(readJobData({ d: 'D', l: 1, a: 1 }, 'abcdefghijklmnop-9-s1', 'q1')).toEqual({ payload: 'D', reply: keys('q1').results('abcdefghijklmnop'), quiet: false, abortable: true })
  })
})

describe.skipIf(!hasRedis)("a worker of this version, jobs of the previous version's executor", () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })

  it.each([
    ['quiet, no signal (JSON)', { q: 1 as const, n: 1 as const }, ['a', 2]],
    ['with a start envelope and a signal (v8)', {}, [10n]],
  ])('runs an old job (%s) and replies to its result list', async (_, flags, args) => {
    const queue = freshQueue('old-job')
    const redis = new Redis(REDIS_URL)
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    closers.push(async () => redis.quit(), () => bull.close(), () => local.shutdown())
    const worker = await serve({ connection: REDIS_URL, queue, root, executor: local, concurrency: 1 })
    closers.push(() => worker.close())
    // exactly as the previous version's toJobs() and encodePayload() made them
    const fn = { kind: 'task', path: 'tasks.mjs', exportName: 'whoAmI', name: 'whoAmI' }
    const full = { fn, args, chunk: false, futureId: 41, name: 'the name' }
    const p = typeof args[0] === 'bigint' ? serialize(full).toString('base64') : JSON.stringify(full)
    const reply = keys(queue).results('olderExecutor-id')
    const jobId = 'olderExecutor-id-41'
    await bull.add('whoAmI', { p, r: reply, ...flags }, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 })
    const envelopes = async () => (await redis.lrangeBuffer(reply, 0, -1)).map((bytes) => decodeEnvelope(bytes))
    await until(async () => (await envelopes()).some((e) => e.t === 'ok'), 'the old job to report its result')
    const got = await envelopes()
    expect(got.find((e) => e.t === 'ok')).toEqual({ t: 'ok', jobId, value: { id: 41, name: 'the name', args } })
    expect(got.some((e) => e.t === 'start')).toBe(!('q' in flags))
  })
})
