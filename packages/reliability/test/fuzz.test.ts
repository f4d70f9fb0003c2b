// Bad-input fuzzing: random values for every option of every constructor and method, and random
// task arguments. Each is refused with a typed error naming what is wrong (synchronously for
// constructors, submit and map's chunksize/buffersize), or accepted and then works; meanwhile a
// bystander future in flight on the same executor settles with its right value, and the
// executor serves afterwards. Properties run through @fast-check/vitest's `it.prop` (seed 16).
import { beforeAll, describe, expect } from 'vitest'
import { fc, it } from '@fast-check/vitest'
import { AsyncPoolExecutor, Future, TimeoutError, asCompleted, task, wait } from '@x/future'
import type { Executor } from '@x/future'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'
import type * as Tasks from '../fixtures/fuzz-tasks.mjs'
import { expectNamedRefusal, show, thrownBy, unwrap, weird } from './fuzz/values.js'

const url = new URL('../fixtures/fuzz-tasks.mjs', import.meta.url)
const plusOne = task<typeof Tasks.plusOne>(url, 'plusOne')
const kindOf = task<typeof Tasks.kindOf>(url, 'kindOf')
const lengthOf = task<typeof Tasks.lengthOf>(url, 'lengthOf')
const later = task<typeof Tasks.later>(url, 'later')

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const namesOf = (option: string): string[] => [option, snake(option)]

type Make = (options?: unknown) => Executor
interface Backend {
  readonly name: string
  readonly make: Make
  readonly options: readonly string[]
  /** fast-check runs for the constructor property (accepted values start a worker each). */
  readonly constructorRuns: number
}

const backends: Backend[] = [
  {
    name: 'AsyncPoolExecutor',
    make: (options) => new AsyncPoolExecutor(options as ConstructorParameters<typeof AsyncPoolExecutor>[0]),
    options: ['maxWorkers', 'name'],
    constructorRuns: 300,
  },
  {
    name: 'ThreadPoolExecutor',
    make: (options) => new ThreadPoolExecutor(options as ConstructorParameters<typeof ThreadPoolExecutor>[0]),
    options: ['maxWorkers', 'initializer', 'initargs', 'threadNamePrefix', 'idleTimeout', 'resourceLimits', 'abortGracePeriod', 'name'],
    constructorRuns: 120,
  },
  {
    name: 'ProcessPoolExecutor',
    make: (options) => new ProcessPoolExecutor(options as ConstructorParameters<typeof ProcessPoolExecutor>[0]),
    options: ['maxWorkers', 'initializer', 'initargs', 'maxTasksPerChild', 'idleTimeout', 'execArgv', 'env', 'abortGracePeriod', 'name'],
    constructorRuns: 60,
  },
]

/** An accepted executor must work: one call through it, then a clean shutdown. */
async function expectServes(executor: Executor, what: string): Promise<void> {
  const f = executor.submit(plusOne, 41)
  await expect(f.result(30_000), `${what}: accepted, then a call failed`).resolves.toBe(42)
  await executor.shutdown({ wait: true })
}

describe.each(backends)('$name: bad input', ({ name, make, options, constructorRuns }) => {
  let accepted = 0
  it.prop([fc.constantFrom(...options), weird], { numRuns: constructorRuns, seed: 16 })(
    'every constructor option: a typed error naming it, or a working executor',
    async (option, raw) => {
      const value = unwrap(raw)
      const what = `new ${name}({ ${option}: ${show(raw)} })`
      let executor: Executor | undefined
      const error = thrownBy(() => (executor = make({ maxWorkers: 1, [option]: value })))
      if (error !== undefined) expectNamedRefusal(error, namesOf(option), what)
      else if (executor !== undefined) {
        accepted++
        await expectServes(executor, what)
      }
    },
    120_000,
  )

  it('some of those values were accepted (and each then worked)', () => {
    expect(accepted).toBeGreaterThan(0)
  })

  it.prop([weird], { numRuns: 200, seed: 16 })('the options object itself', (raw) => {
    const value = unwrap(raw)
    const error = thrownBy(() => void make(value).shutdown())
    // undefined and plain objects are fine; anything else names "options"
    if (error !== undefined) expectNamedRefusal(error, ['options', 'option'], `new ${name}(${show(raw)})`)
  })

  it('unknown options', () => {
    expectNamedRefusal(thrownBy(() => make({ maxWorker: 2 })), ['maxWorker'], 'a misspelt option')
  })

  describe('every method argument', () => {
    let executor: Executor
    let bystander: Future
    let done: Future<number>
    beforeAll(async () => {
      executor = make({ maxWorkers: 2 })
      bystander = executor.submit(later, 300, 'bystander')
      done = executor.submit(plusOne, 1)
      await done
    })

    it.prop(
      [
        fc.constantFrom('submitWith', 'submitWith.options', 'submit.fn', 'map', 'map.iterable', 'result', 'exception', 'wait', 'wait.fs', 'asCompleted', 'addDoneCallback', 'Future'),
        fc.constantFrom('name', 'signal', 'transfer', 'timeout', 'chunksize', 'buffersize', 'returnWhen'),
        weird,
      ],
      { numRuns: 300, seed: 16 },
    )(
      'refused by name or working',
      async (method, option, raw) => {
          const value = unwrap(raw)
          const what = `${method} with ${option}: ${show(raw)}`
          switch (method) {
            case 'submitWith': {
              const key = (['name', 'signal', 'transfer'] as const)[option.length % 3] ?? 'name'
              let f: Future<number> | undefined
              const error = thrownBy(() => (f = executor.submitWith({ [key]: value }, plusOne, 1)))
              if (error !== undefined) expectNamedRefusal(error, [key], what)
              else if (f !== undefined) {
                const outcome = await f.exception(30_000).catch((e: unknown) => e)
                if (outcome !== undefined && !f.cancelled()) expectNamedRefusal(outcome, [key, 'transfer', 'argument'], what)
              }
              break
            }
            case 'submitWith.options': {
              let f: Future<number> | undefined
              const error = thrownBy(() => (f = executor.submitWith(value as never, plusOne, 1)))
              if (error !== undefined) expectNamedRefusal(error, ['options', 'option'], what)
              else await expect(f?.result(30_000), `${what}: accepted, then failed`).resolves.toBe(2)
              break
            }
            case 'submit.fn': {
              let f: Future | undefined
              const submitAny = executor.submit.bind(executor) as (fn: unknown) => Future
              const error = thrownBy(() => (f = submitAny(value)))
              if (error !== undefined) expectNamedRefusal(error, ['function', 'task', 'callable', 'fn'], what)
              else if (f !== undefined) await f.exception(30_000)
              break
            }
            case 'map': {
              const key = (['timeout', 'chunksize', 'buffersize'] as const)[option.length % 3] ?? 'timeout'
              const error = thrownBy(() => executor.map(plusOne, [1, 2, 3], { [key]: value }))
              if (error !== undefined) expectNamedRefusal(error, namesOf(key), what)
              else {
                const results: number[] = []
                try {
                  for await (const r of executor.map(plusOne, [1, 2, 3], { [key]: value })) results.push(r)
                  expect(results).toEqual([2, 3, 4])
                } catch (e) {
                  if (!(e instanceof TimeoutError)) expectNamedRefusal(e, namesOf(key), what)
                }
              }
              break
            }
            case 'map.iterable': {
              let it: AsyncIterableIterator<number> | undefined
              const error = thrownBy(() => (it = executor.map(plusOne, value as never, {})))
              if (error !== undefined) expectNamedRefusal(error, ['iterable', 'argument', 'input'], what)
              else if (it !== undefined) {
                try {
                  for await (const r of it) expect(typeof r).not.toBe('undefined')
                } catch (e) {
                  expect(e, `${what}: the call failed with an untyped error`).toBeInstanceOf(Error)
                }
              }
              break
            }
            case 'result':
            case 'exception': {
              for (const f of [done, bystander]) {
                try {
                  await (method === 'result' ? f.result(value as number) : f.exception(value as number))
                } catch (e) {
                  if (!(e instanceof TimeoutError)) expectNamedRefusal(e, ['timeout'], what)
                }
              }
              break
            }
            case 'wait':
            case 'asCompleted': {
              const key = method === 'wait' && option.length % 2 === 0 ? 'returnWhen' : 'timeout'
              try {
                if (method === 'wait') await wait([done, bystander], { [key]: value, ...(key === 'returnWhen' ? { timeout: 0 } : {}) })
                else for await (const f of asCompleted([done, bystander], { [key]: value })) expect(f.done()).toBe(true)
              } catch (e) {
                if (!(e instanceof TimeoutError)) expectNamedRefusal(e, [key, 'Invalid return condition'], what)
              }
              break
            }
            case 'wait.fs':
              try {
                await wait(value as never, { timeout: 0 })
              } catch (e) {
                expectNamedRefusal(e, ['futures', 'iterable', 'Future', 'fs'], what)
              }
              break
            case 'addDoneCallback': {
              const error = thrownBy(() => {
                done.addDoneCallback(value as never)
              })
              if (typeof value !== 'function') {
                expect(error, `${what}: accepted`).toBeDefined()
                expectNamedRefusal(error, ['callback', 'function', 'fn'], what)
              }
              break
            }
            case 'Future': {
              const error = thrownBy(() => new Future({ name: value as string }))
              if (error !== undefined) expectNamedRefusal(error, ['name'], what)
              break
            }
          }
      },
      120_000,
    )

    it('meanwhile a bystander future and the executor carried on', async () => {
      await expect(bystander.result(30_000)).resolves.toBe('bystander')
      await expectServes(executor, 'after the fuzzing')
    })
  })

  describe('random task arguments', () => {
    let executor: Executor
    let bystander: Future
    beforeAll(() => {
      executor = make({ maxWorkers: 2 })
      bystander = executor.submit(later, 200, 'bystander')
    })
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const specials = fc.constantFrom<unknown>(cyclic, new WeakMap(), new WeakSet(), Symbol('arg'), () => 1, Math.max, class A {
      readonly a = 1
    }, { nested: { fn: () => 2 } }, { sym: Symbol('deep') }, new SharedArrayBuffer(8))
    it.prop([fc.array(fc.oneof(weird, specials), { minLength: 1, maxLength: 3 })], { numRuns: 150, seed: 16 })(
      'sent and received, or that future alone fails with a typed error naming the argument',
      async (raws) => {
        const args = raws.map(unwrap)
        const what = `submit(kindOf, ${raws.map(show).join(', ')})`
        let f: Future<string> | undefined
        const error = thrownBy(() => (f = executor.submit(kindOf, ...(args as [unknown]))))
        if (error !== undefined) {
          expectNamedRefusal(error, ['argument'], what)
          return
        }
        if (f === undefined) return
        const outcome = await f.exception(30_000)
        if (outcome !== undefined) expectNamedRefusal(outcome, ['argument', 'result', 'cannot be sent', 'could not be cloned'], what)
        else expect(typeof (await f.result(0))).toBe('string')
      },
      120_000,
    )

    it('a 100 MiB argument goes through; the bystander and the executor carried on', { timeout: 120_000 }, async () => {
      await expect(bystander.result(30_000)).resolves.toBe('bystander')
      const big = 'x'.repeat(100 * 2 ** 20)
      await expect(executor.submit(lengthOf, big).result(60_000)).resolves.toBe(big.length)
      await expectServes(executor, 'after the argument fuzzing')
    })
  })
})
