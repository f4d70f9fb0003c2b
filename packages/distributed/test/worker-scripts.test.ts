// The worker's start and finish scripts, batched: the starts (and the finishes) asked for in one
// event-loop turn go to Redis as one script call, and each job still gets its own answer. Counted
// at the client (one EVALSHA per turn and script), checked in Redis (markers, lists, TTLs).
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeAbort, encodeEnvelope, decodeAbort, decodeEnvelope, keys } from '../src/protocol.js'
import { WorkerScripts } from '../src/worker-scripts.js'
import { batchWrites } from '../src/write-batch.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const TTL = 60_000

describe.skipIf(!hasRedis)("a worker's batched start and finish scripts", () => {
  const clients: Redis[] = []
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect()
  })

  /** A connection batched as serve() batches its own, its scripts, and the EVALSHAs it sends. */
  const setUp = async (k: ReturnType<typeof keys>): Promise<{ redis: Redis; scripts: WorkerScripts; evalshas: () => number }> => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
    clients.push(redis)
    const scripts = await WorkerScripts.load(redis, batchWrites(redis), { prefix: k.jobPrefix, workerId: 'worker-a', ranTtl: TTL, replyTtl: TTL }, () => undefined)
    let sent = 0
    const send = redis.sendCommand.bind(redis)
    redis.sendCommand = (command, ...rest) => {
      if (command.name.toLowerCase() === 'evalsha') sent++
      return send(command, ...rest)
    }
    return { redis, scripts, evalshas: () => sent }
  }

  it('starts the jobs of one turn in one call: each job gets its own answer (taken, early abort, started)', async () => {
    const k = keys(freshQueue('batched-start'))
    const { redis, scripts, evalshas } = await setUp(k)
    const reply = k.results('executor-1')
    await redis.set(k.ran('claimed'), '-', 'PX', TTL) // the executor's claim: this delivery must not run
    await redis.set(k.abort('aborted'), encodeAbort('aborted', new Error('stop')), 'PX', TTL)
    const start = encodeEnvelope({ t: 'start', jobId: 'loud', workerId: 'worker-a' })
    const answers = await Promise.all([
      scripts.start('claimed', reply, false, ''),
      scripts.start('aborted', reply, true, ''),
      scripts.start('quiet', reply, false, ''),
      scripts.start('loud', reply, true, start),
    ])
    expect(evalshas()).toBe(1)
    expect(answers[0]).toBe(-1)
    expect(Buffer.isBuffer(answers[1])).toBe(true)
    expect(decodeAbort(answers[1] as Buffer).reason).toMatchObject({ message: 'stop' })
    expect(answers.slice(2)).toEqual([0, 0])
    expect(await redis.mget(k.ran('claimed'), k.ran('aborted'), k.ran('quiet'), k.ran('loud'))).toEqual(['-', 'worker-a', 'worker-a', 'worker-a'])
    // only the job whose executor asked for a start envelope pushed one
    const pushed = await redis.lrangeBuffer(reply, 0, -1)
    expect(pushed.map((data) => decodeEnvelope(data))).toEqual([{ t: 'start', jobId: 'loud', workerId: 'worker-a' }])
    expect(await redis.pttl(reply)).toBeGreaterThan(0)
    // a start asked for in a later turn is a call of its own
    expect(await scripts.start('later', reply, false, '')).toBe(0)
    expect(evalshas()).toBe(2)
  })

  it('answers every job of a turn even when the callback of an earlier one throws (that job fails with the error)', async () => {
    const k = keys(freshQueue('batched-throw'))
    const { scripts, evalshas } = await setUp(k)
    const reply = k.results('executor-1')
    const failed = new Promise<unknown>((resolve) => {
      scripts.startThen('first', reply, false, '', () => {
        throw new Error('boom')
      }, resolve)
    })
    const second = scripts.start('second', reply, false, '')
    expect(await second).toBe(0)
    expect(await failed).toMatchObject({ message: 'boom' })
    expect(evalshas()).toBe(1)
  })

  it('pushes the envelopes of one turn in one call, in order, each to its list, and drops the markers of finished jobs only', async () => {
    const k = keys(freshQueue('batched-finish'))
    const { redis, scripts, evalshas } = await setUp(k)
    const [one, two] = [k.results('executor-1'), k.results('exécuteur-2')] // a name of more than one byte per character too
    for (const job of ['a', 'b', 'c']) await redis.set(k.ran(job), 'worker-a', 'PX', TTL)
    await redis.set(k.abort('b'), 'x', 'PX', TTL)
    const envelope = (jobId: string, value: unknown): Buffer => encodeEnvelope({ t: 'ok', jobId, value })
    await Promise.all([
      scripts.finish(one, 'a', false, encodeEnvelope({ t: 'progress', jobId: 'a', value: 1 }), false),
      scripts.finish(one, 'a', false, envelope('a', 'A'), true),
      scripts.finish(two, 'b', true, envelope('b', 'B'), true),
      scripts.finish(one, 'c', false, envelope('c', 'C'), false),
    ])
    expect(evalshas()).toBe(1)
    const list = async (key: string): Promise<unknown[]> => (await redis.lrangeBuffer(key, 0, -1)).map((data) => decodeEnvelope(data))
    expect(await list(one)).toEqual([
      { t: 'progress', jobId: 'a', value: 1 },
      { t: 'ok', jobId: 'a', value: 'A' },
      { t: 'ok', jobId: 'c', value: 'C' },
    ])
    expect(await list(two)).toEqual([{ t: 'ok', jobId: 'b', value: 'B' }])
    for (const key of [one, two]) expect(await redis.pttl(key)).toBeGreaterThan(0)
    // a and b finished (b's abort key dropped too); c's envelope was not its last
    expect(await redis.mget(k.ran('a'), k.ran('b'), k.abort('b'), k.ran('c'))).toEqual([null, null, null, 'worker-a'])
  })

  it('leaves out the marker of a fresh job that finishes in the turn it starts, and only of such a job', async () => {
    const k = keys(freshQueue('batched-unmarked'))
    const { redis, scripts, evalshas } = await setUp(k)
    const reply = k.results('executor-1')
    await redis.set(k.ran('late'), '-', 'PX', TTL) // the executor's claim of a job no longer fresh
    const soon = performance.now() + TTL
    const started: unknown[] = []
    const start = (jobId: string, envelope: Buffer | '', until: number): Promise<unknown> =>
      new Promise((resolve, reject) => {
        scripts.startThen(jobId, reply, false, envelope, (answer) => {
          started.push(jobId)
          resolve(answer)
        }, reject, until)
      })
    const loudStart = encodeEnvelope({ t: 'start', jobId: 'loud', workerId: 'worker-a' })
    const result = (jobId: string): Buffer => encodeEnvelope({ t: 'ok', jobId, value: jobId })
    const answers = await Promise.all([
      start('fresh', '', soon), // fresh, finishes in this turn: no marker, no start call
      start('late', '', performance.now() - 1), // finishes in this turn, but no longer fresh: checked
      start('loud', loudStart, soon), // its executor asked for a start envelope: pushed first
      start('running', '', soon), // fresh, still running after this turn: its marker names its worker
      scripts.finish(reply, 'fresh', false, result('fresh'), true),
      scripts.finish(reply, 'late', false, result('late'), true),
      scripts.finish(reply, 'loud', false, result('loud'), true),
    ])
    expect(answers.slice(0, 4)).toEqual([0, -1, 0, 0])
    expect(started[0]).toBe('fresh') // answered at the flush, before the call went out
    expect(evalshas()).toBe(2) // one start call (late, loud, running), one finish call
    const pushed = (await redis.lrangeBuffer(reply, 0, -1)).map((data) => decodeEnvelope(data))
    expect(pushed).toEqual([
      { t: 'start', jobId: 'loud', workerId: 'worker-a' },
      { t: 'ok', jobId: 'fresh', value: 'fresh' },
      { t: 'ok', jobId: 'late', value: 'late' },
      { t: 'ok', jobId: 'loud', value: 'loud' },
    ])
    expect(await redis.mget(k.ran('fresh'), k.ran('late'), k.ran('loud'), k.ran('running'))).toEqual([null, null, null, 'worker-a'])
  })
})
