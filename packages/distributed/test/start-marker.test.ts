// Why a worker waits for its start script before it starts a task (one Redis round trip after
// BullMQ's fetch): not because BullMQ could hand it the same job twice (it cannot with serve()'s
// settings, pinned below), but because the job's executor may have claimed the job's start marker
// as it gave up on the job (failing its future), while a delivery was still on its way to a
// worker. The start script is where the two meet, atomically: whichever sets the marker first wins. The
// executor claims only a job whose BullMQ lock expired (or that BullMQ lost), so a worker waits
// only for a delivery that comes late (half a lock lifetime after its fetch) or may be aborted;
// a fresh one starts at once (fresh-start.ts, fresh-start.test.ts). The claimed deliveries here
// are made late on purpose, or abortable.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, Worker } from 'bullmq'
import type { Job } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'
import { newItem, toJobs } from '../src/item.js'
import { encodePayload } from '../src/job-data.js'
import { decodeEnvelope, keys } from '../src/protocol.js'
import type { Envelope } from '../src/protocol.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const BOUND_MS = 15_000
/** serve()'s heartbeat here: its lifetime (5x) is BullMQ's lockDuration, a delivery later than half of it is late. */
const HEARTBEAT_MS = 400

/**
 * Makes the first delivery of `queue`'s jobs late: right after BullMQ's first fetch (its
 * moveToActive script, 11 keys) is sent, this process stalls for longer than half a lock lifetime (the lock,
 * set by that fetch, stays alive). Returns the function that stops watching.
 */
function delayFirstFetch(queue: string): () => void {
  type Send = (this: Redis, command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown
  const proto = Redis.prototype as unknown as { sendCommand: Send }
  const original = proto.sendCommand
  const restore = (): void => {
    proto.sendCommand = original
  }
  proto.sendCommand = function (this: Redis, command, ...rest) {
    const sent = original.call(this, command, ...rest)
    // (ioredis sends a script's first call on a connection as EVAL, later ones as EVALSHA)
    if (['evalsha', 'eval'].includes(command.name.toLowerCase()) && String(command.args[1]) === '11' && command.args.includes(`bull:${queue}:wait`)) {
      restore()
      const until = performance.now() + HEARTBEAT_MS * 5 * 0.6
      while (performance.now() < until) {
        // stalled, as a worker held up between BullMQ's fetch and its processor
      }
    }
    return sent
  }
  return restore
}
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(new URL('tasks.mjs', root), 'recordThenWait')

/** A file the task appends a line to on every run, and a latch that lets it return at once. */
function runRecord(): { file: string; latch: string; runs: () => number } {
  const base = join(tmpdir(), `x-start-marker-${String(process.pid)}-${randomBytes(4).toString('hex')}`)
  const latch = `${base}.latch`
  writeFileSync(latch, '')
  const file = `${base}.runs`
  return { file, latch, runs: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0) }
}

describe.skipIf(!hasRedis)("a worker's start script", () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })

  it.each([
    ['a quiet call without a signal, delivered late', false, true],
    ['a call with a signal and a start envelope', true, false],
  ])("runs nothing for a delivery of a job whose start marker its executor claimed (%s), and reports nothing", async (_, abortable, quiet) => {
    const queue = freshQueue('claimed')
    const { file, latch, runs } = runRecord()
    const redis = new Redis(REDIS_URL)
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    closers.push(async () => redis.quit(), () => bull.close(), () => local.shutdown())
    const reply = `x:${queue}:results:test-${randomBytes(3).toString('hex')}`
    const job = (jobId: string, value: string) => {
      const payload = encodePayload({ fn: { kind: 'task', path: 'tasks.mjs', exportName: 'recordThenWait', name: 'recordThenWait' }, args: [file, latch, value], chunk: false, futureId: 1, name: undefined })
      const [made] = toJobs([newItem(new Future(), { kind: 'task', path: 'tasks.mjs', exportName: 'recordThenWait', name: 'recordThenWait' }, payload, jobId, abortable)])
      if (made === undefined) throw new Error('no job made')
      return { ...made, data: { ...made.data, r: reply, l: quiet ? undefined : (1 as const) } }
    }
    // The executor's claim, as its lost-worker check writes it (claimStart in lost-check.ts) once
    // it saw the job orphaned or gone twice, before it fails the call's future.
    await redis.set(keys(queue).ran('claimed-1'), '-', 'PX', 60_000)
    await bull.addBulk([job('claimed-1', 'old delivery')])
    // (a fresh delivery of a job nothing can abort would start at once: its lock rules out a claim)
    if (!abortable) {
      const stopWatching = delayFirstFetch(queue)
      closers.push(() => {
        stopWatching() // if the fetch never came
        return Promise.resolve()
      })
    }
    const worker = await serve({ connection: REDIS_URL, queue, root, executor: local, concurrency: 1, heartbeat: HEARTBEAT_MS })
    closers.push(() => worker.close())
    // The worker took the old delivery, and BullMQ removed it once its processor returned.
    await until(async () => (await redis.exists(`bull:${queue}:claimed-1`)) === 0, 'the claimed job to be taken and completed')
    // The same worker then runs a job nobody claimed (one slot: strictly after the first).
    await bull.addBulk([job('fresh-1', 'fresh')])
    const envelopes = async (): Promise<Envelope[]> => (await redis.lrangeBuffer(reply, 0, -1)).map((bytes) => decodeEnvelope(bytes))
    await until(async () => (await envelopes()).some((e) => e.t === 'ok' && e.jobId === 'fresh-1'), 'the fresh job to report its result')
    expect(runs()).toBe(1) // the fresh job's run only
    expect((await envelopes()).filter((e) => e.jobId === 'claimed-1')).toEqual([])
    expect(await redis.get(keys(queue).ran('claimed-1'))).toBe('-') // still the executor's
  })

  it('runs nothing for a call whose future was aborted before any worker took its job: the future fails with the reason', async () => {
    const queue = freshQueue('abort-first')
    const { file, latch, runs } = runRecord()
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    closers.push(() => ex.shutdown())
    const controller = new AbortController()
    const aborted = ex.submitWith({ signal: controller.signal }, recordThenWait, file, latch, 'aborted')
    await until(() => aborted.running(), 'the call to be handed over')
    controller.abort(Object.assign(new Error('not any more'), { name: 'AbortError' }))
    const redis = new Redis(REDIS_URL)
    closers.push(async () => redis.quit())
    await until(async () => (await redis.keys(keys(queue).abort('*'))).length === 1, 'the abort key to be written')
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    closers.push(() => local.shutdown())
    const worker = await serve({ connection: REDIS_URL, queue, root, executor: local, concurrency: 1 })
    closers.push(() => worker.close())
    const error = (await aborted.exception(BOUND_MS)) as Error
    expect(error.name).toBe('AbortError')
    expect(error.message).toBe('not any more')
    // a later call on the same worker runs, and is the only run
    expect(await ex.submit(recordThenWait, file, latch, 'later').result(BOUND_MS)).toBe('later')
    expect(runs()).toBe(1)
  })
})

describe.skipIf(!hasRedis)("BullMQ with serve()'s worker settings (maxStalledCount 0, lockDuration = stalledInterval)", () => {
  it('never hands a job to a processor twice: a job whose lock expired is failed by the next worker without running', async () => {
    const queue = freshQueue('stalled')
    const settings = { connection: { url: REDIS_URL }, maxStalledCount: 0, lockDuration: 300, stalledInterval: 300 }
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const calls: string[] = []
    let fetched = false
    // The first worker takes the job and stops extending its lock (a process that hangs or lost
    // its network): the processor never returns.
    const first = new Worker(
      queue,
      async () => {
        fetched = true
        await new Promise(() => undefined)
      },
      settings,
    )
    try {
      await bull.add('job', { n: 1 }, { jobId: 'stalled-1', removeOnComplete: true, removeOnFail: true, attempts: 1 })
      await until(() => fetched, 'the first worker to take the job')
      await first.close(true)
      // A second worker's stalled check finds the job without a lock: BullMQ 6 marks it failed
      // ('defa') and moves it to the wait list; the worker that takes it then fails it at once.
      const failures: string[] = []
      const second = new Worker(
        queue,
        (job: Job) => {
          calls.push(String(job.id))
          return Promise.resolve()
        },
        settings,
      )
      second.on('failed', (job: Job | undefined, error: Error) => failures.push(`${String(job?.id)}: ${error.message}`))
      try {
        await until(() => failures.length > 0, 'the stalled job to fail')
        expect(failures).toEqual(['stalled-1: job stalled more than allowable limit'])
        expect(calls).toEqual([])
        expect(await bull.getJob('stalled-1')).toBeUndefined() // removeOnFail: nothing left to deliver
      } finally {
        await second.close()
      }
    } finally {
      await bull.close()
    }
  })
})
