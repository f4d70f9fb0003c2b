// Bad-input fuzzing of DistributedExecutor (the fuzz suite's other executors are in fuzz.test.ts):
// random values for every constructor option and for submitWith's options, submit's function and
// map's options. Each is refused at once with a typed error naming what is wrong, or accepted and
// then works (one call through a real x-worker, or a typed error for an address that goes
// nowhere); meanwhile a bystander future on the same executor settles with its right value.
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { fc, it } from '@fast-check/vitest'
import { Redis } from 'ioredis'
import { DistributedExecutor } from '@x/concurrent'
import { TimeoutError, task } from '@x/future'
import type { Future } from '@x/future'
import type * as Tasks from '../fixtures/fuzz-tasks.mjs'
import { queueKeys, xWorkerBin } from '../dist/index.js'
import { REDIS_URL, killStarted, redisAnswers, startProcess } from '../../../scripts/test-utils/processes.mjs'
import { expectNamedRefusal, show, thrownBy, unwrap, weird } from './fuzz/values.js'

const url = new URL('../fixtures/fuzz-tasks.mjs', import.meta.url)
const plusOne = task<typeof Tasks.plusOne>(url, 'plusOne')
const later = task<typeof Tasks.later>(url, 'later')
const root = fileURLToPath(new URL('../fixtures/', import.meta.url))
const queue = `fuzz-${randomBytes(5).toString('hex')}`

const hasRedis = await redisAnswers()
if (process.env.CI === 'true') {
  it('has a Redis to fuzz the distributed executor against (required under CI=true)', () => {
    expect(hasRedis, `no Redis answers at ${REDIS_URL}`).toBe(true)
  })
}

beforeAll(async () => {
  if (hasRedis) await startProcess(xWorkerBin, ['--queue', queue, '--root', root, '--concurrency', '2', '--backend', 'async'], /serving queue/, 'x-worker')
}, 30_000)
afterAll(async () => {
  killStarted()
  if (!hasRedis) return
  const redis = new Redis(REDIS_URL)
  const keys = await queueKeys(redis, queue)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
})

const base = { connection: REDIS_URL, queue, root }
const options = ['connection', 'queue', 'root', 'maxWorkers', 'maxQueue', 'retries', 'checkInterval', 'name'] as const

/** An accepted executor must work: a call through it, or (an address that goes nowhere) a typed error; then a clean shutdown. */
async function expectWorks(executor: DistributedExecutor, option: string, what: string): Promise<void> {
  if (option === 'queue') {
    // a queue no worker serves: the call would wait for one; cancel it and shut down
    const f = executor.submit(plusOne, 1)
    await executor.shutdown({ wait: true, cancelFutures: true })
    expect(f.cancelled() || f.running(), what).toBe(true)
    return
  }
  let f: Future<number> | undefined
  const refused = thrownBy(() => (f = executor.submit(plusOne, 41)))
  if (refused !== undefined) expectNamedRefusal(refused, ['root', 'module'], what)
  else if (f !== undefined) {
    const error = await f.exception(20_000).catch((e: unknown) => e)
    if (error === undefined) expect(await f.result(0), what).toBe(42)
    else if (error instanceof TimeoutError) throw new Error(`${what}: accepted, then the call neither ran nor failed within 20 s`)
    else expectNamedRefusal(error, ['Redis', 'module', 'root', 'Cannot find', 'connection'], what)
  }
  await executor.shutdown({ wait: false, cancelFutures: true })
}

describe.skipIf(!hasRedis)('DistributedExecutor: bad input', () => {
  let accepted = 0
  it.prop([fc.constantFrom(...options), weird], { numRuns: 150, seed: 16 })(
    'every constructor option: a typed error naming it, or a working executor',
    async (option, raw) => {
      const value = unwrap(raw)
      const what = `new DistributedExecutor({ ${option}: ${show(raw)} })`
      let executor: DistributedExecutor | undefined
      const error = thrownBy(() => (executor = new DistributedExecutor({ ...base, [option]: value })))
      if (error !== undefined) expectNamedRefusal(error, [option, option.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), 'options'], what)
      else if (executor !== undefined) {
        accepted++
        await expectWorks(executor, option, what)
      }
    },
    180_000,
  )

  it('some of those values were accepted (and each then worked)', () => {
    expect(accepted).toBeGreaterThan(0)
  })

  it.prop([weird], { numRuns: 200, seed: 16 })('the options object itself', (raw) => {
    const error = thrownBy(() => new DistributedExecutor(unwrap(raw) as never))
    expect(error, `new DistributedExecutor(${show(raw)}): accepted without a queue`).toBeDefined()
    expectNamedRefusal(error, ['options', 'queue', 'root'], `new DistributedExecutor(${show(raw)})`)
  })

  describe("submitWith's options, submit's function and map's options", () => {
    let executor: DistributedExecutor
    let bystander: Future
    beforeAll(() => {
      executor = new DistributedExecutor({ ...base, maxWorkers: 2 })
      bystander = executor.submit(later, 300, 'bystander')
    })
    afterAll(() => executor.shutdown())

    it.prop([fc.constantFrom('name', 'signal', 'options', 'fn', 'chunksize', 'buffersize', 'timeout'), weird], { numRuns: 150, seed: 16 })(
      'refused by name or working',
      async (what, raw) => {
        const value = unwrap(raw)
        const label = `${what}: ${show(raw)}`
        if (what === 'name' || what === 'signal' || what === 'options') {
          let f: Future<number> | undefined
          const submitted = what === 'options' ? value : { [what]: value }
          const error = thrownBy(() => (f = executor.submitWith(submitted as never, plusOne, 1)))
          if (error !== undefined) expectNamedRefusal(error, [what, 'option'], label)
          else if (f !== undefined) {
            const outcome = await f.exception(20_000).catch((e: unknown) => e)
            expect(outcome, `${label}: accepted, then failed: ${String(outcome)}`).toBeUndefined()
          }
        } else if (what === 'fn') {
          let f: Future | undefined
          const error = thrownBy(() => (f = (executor.submit as (fn: unknown) => Future)(value)))
          if (typeof value !== 'function') {
            expect(error, `${label}: accepted as a function`).toBeDefined()
            expectNamedRefusal(error, ['function', 'task', 'callable', 'fn'], label)
          } else if (f !== undefined) {
            // function source: this worker runs no source (no --allow-source), and says so
            expect(((await f.exception(20_000)) as { code?: unknown }).code, label).toBe('ERR_SOURCE_NOT_ALLOWED')
          }
        } else {
          const error = thrownBy(() => executor.map(plusOne, [1, 2, 3], { [what]: value }))
          if (error !== undefined) expectNamedRefusal(error, [what, what.replace(/size$/, '_size')], label)
          else {
            const results: number[] = []
            try {
              for await (const r of executor.map(plusOne, [1, 2, 3], { [what]: value })) results.push(r)
              expect(results, label).toEqual([2, 3, 4])
            } catch (e) {
              if (!(e instanceof TimeoutError)) expectNamedRefusal(e, [what], label)
            }
          }
        }
      },
      120_000,
    )

    it('meanwhile a bystander future and the executor carried on', async () => {
      await expect(bystander.result(30_000)).resolves.toBe('bystander')
      await expect(executor.submit(plusOne, 41).result(20_000)).resolves.toBe(42)
    })
  })
})
