// A fresh delivery of a job nothing can abort starts without waiting for its start script's
// answer (fresh-start.ts): its marker goes out in the same turn, ahead of its result. Why that
// keeps "at most once", and why a late delivery still waits: see fresh-start.ts and
// start-marker.test.ts.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'
import { startsAtOnce } from '../src/fresh-start.js'
import { keys } from '../src/protocol.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, leftoverKeys, requireRedisInCi, root, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const BOUND_MS = 15_000
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(new URL('tasks.mjs', root), 'recordThenWait')
const sleep = task<(ms: number, value: number) => number>(new URL('tasks.mjs', root), 'sleep')

describe('startsAtOnce', () => {
  const now = 1_000_000
  it('starts a job nothing can abort whose fetch went out less than half a lock lifetime ago', () => {
    expect(startsAtOnce({ processedOn: now }, false, 5000, now)).toBe(true)
    expect(startsAtOnce({ processedOn: now - 2499 }, false, 5000, now)).toBe(true)
  })
  it('waits for the answer when the delivery is late, the clock jumped back, or the fetch time is unknown', () => {
    expect(startsAtOnce({ processedOn: now - 2500 }, false, 5000, now)).toBe(false)
    expect(startsAtOnce({ processedOn: now + 1 }, false, 5000, now)).toBe(false)
    expect(startsAtOnce({ processedOn: undefined }, false, 5000, now)).toBe(false)
  })
  it('waits for the answer when the job may be aborted (the script reads its abort key)', () => {
    expect(startsAtOnce({ processedOn: now }, true, 5000, now)).toBe(false)
  })
})

interface Command {
  name: string
  args: unknown[]
  promise: Promise<unknown>
}
type Send = (this: Redis, command: Command, ...rest: unknown[]) => unknown

describe.skipIf(!hasRedis)('a fresh delivery', () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })

  /** serve() with an AsyncPoolExecutor of `concurrency` in this process, and an executor on the same queue. */
  async function cluster(queue: string, concurrency: number): Promise<{ worker: Awaited<ReturnType<typeof serve>>; ex: DistributedExecutor }> {
    const local = new AsyncPoolExecutor({ maxWorkers: concurrency })
    closers.push(() => local.shutdown())
    const worker = await serve({ connection: REDIS_URL, queue, root, executor: local, concurrency })
    closers.push(() => worker.close())
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root })
    closers.push(() => ex.shutdown())
    return { worker, ex }
  }

  it('of a job nothing can abort starts while its start script is still held back, and leaves no marker', async () => {
    const queue = freshQueue('fresh')
    const base = join(tmpdir(), `x-fresh-start-${String(process.pid)}-${randomBytes(4).toString('hex')}`)
    const file = `${base}.runs`
    const latch = `${base}.latch` // not there yet: the task waits for it
    const runs = (): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0)
    const { worker, ex } = await cluster(queue, 1)
    // Hold back the worker's start script (EVALSHA sha 0 prefix workerId ranTtl replyTtl jobs) until released.
    const prefix = keys(queue).jobPrefix
    const held: (() => void)[] = []
    const proto = Redis.prototype as unknown as { sendCommand: Send }
    const original = proto.sendCommand
    proto.sendCommand = function (this: Redis, command, ...rest) {
      if (command.name.toLowerCase() === 'evalsha' && command.args[2] === prefix && command.args[3] === worker.id) {
        held.push(() => void original.call(this, command, ...rest))
        return command.promise
      }
      return original.call(this, command, ...rest)
    }
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      proto.sendCommand = original
      for (const send of held) send()
    }
    closers.push(() => {
      release()
      return Promise.resolve()
    })
    const future = ex.submit(recordThenWait, file, latch, 'ran')
    await until(() => runs() === 1, 'the task to start while its start script is held back')
    expect(held).toHaveLength(1)
    release()
    writeFileSync(latch, '')
    expect(await future.result(BOUND_MS)).toBe('ran')
    expect(runs()).toBe(1)
    await worker.close()
    expect((await leftoverKeys(queue)).filter((key) => key.startsWith(prefix))).toEqual([])
  })

  it('of many jobs at once sends every start before its finish, also for jobs that end in the turn they start: no marker is left behind', async () => {
    const queue = freshQueue('fresh-burst')
    // No allowSource: a function sent as source is refused at once, in the turn its job starts. The
    // others end in a timer, earlier in a turn than the deliveries Redis's replies bring.
    const { worker, ex } = await cluster(queue, 16)
    const futures = Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? ex.submit(sleep, 1, i + 1) : ex.submit((n: number) => n, i)))
    const outcomes = await Promise.all(futures.map((future) => future.exception(BOUND_MS)))
    expect(outcomes.filter((error) => (error as { code?: string } | undefined)?.code === 'ERR_SOURCE_NOT_ALLOWED')).toHaveLength(300)
    expect(await Promise.all(futures.filter((_, i) => i % 2 === 0).map((future) => future.result(BOUND_MS)))).toEqual(Array.from({ length: 300 }, (_, i) => 2 * i + 1))
    await worker.close()
    const redis = new Redis(REDIS_URL)
    closers.push(async () => redis.quit())
    expect(await redis.keys(keys(queue).ran('*'))).toEqual([])
  })
})
