// The backend kit: callables, argument checks and error serialization, used by the pools.
import { describe, expect, it } from 'vitest'
import {
  AsyncPoolExecutor,
  Future,
  checkArguments,
  describeCallable,
  deserializeError,
  explainCallError,
  invokeCallable,
  isSerializedError,
  isTask,
  loadCallable,
  serializeError,
  task,
} from '../src/index.js'
import { rejection } from './helpers.js'

const fixture = new URL('./fixtures/tasks.mjs', import.meta.url)

describe('task()', () => {
  it('makes a frozen handle from a URL, a file: URL string or an absolute path', () => {
    const a = task(fixture, 'shout')
    expect(a).toEqual({ module: fixture.href, exportName: 'shout', name: 'shout' })
    expect(Object.isFrozen(a)).toBe(true)
    expect(isTask(a)).toBe(true)
    expect(isTask({ module: fixture.href, exportName: 'shout', name: 'shout' })).toBe(false)
    expect(task(fixture.href, 'shout').module).toBe(fixture.href)
    expect(task(new URL(fixture).pathname, 'shout').module).toBe(fixture.href)
    expect(task(fixture).name).toBe('tasks')
  })

  it('refuses relative paths and bad export names, naming the fix', () => {
    expect(() => task('./tasks.js', 'x')).toThrow(/new URL\('\.\/tasks\.js', import\.meta\.url\)/)
    expect(() => task('', 'x')).toThrow(TypeError)
    expect(() => task(fixture, '')).toThrow(/exportName must be a non-empty string/)
  })
})

describe('describeCallable / loadCallable / invokeCallable', () => {
  it('turns functions into source and back, including async, generators and methods', async () => {
    const spec = describeCallable((a: number, b: number) => a ** b)
    expect(spec.kind).toBe('source')
    expect(await invokeCallable(spec, [2, 10])).toBe(1024)
    const asyncSpec = describeCallable(async function twice(x: number) {
      return Promise.resolve(x * 2)
    })
    expect(asyncSpec.name).toBe('twice')
    expect(await invokeCallable(asyncSpec, [21])).toBe(42)
    const methods = {
      // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a method that does not use this
      plus(this: void, a: number) {
        return a + 1
      },
      // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a method that does not use this
      async later(this: void, a: number) {
        return Promise.resolve(a - 1)
      },
    }
    expect(await invokeCallable(describeCallable(methods.plus), [1])).toBe(2)
    expect(await invokeCallable(describeCallable(methods.later), [1])).toBe(0)
    expect(describeCallable(task(fixture, 'shout'))).toEqual({
      kind: 'task',
      module: fixture.href,
      exportName: 'shout',
      name: 'shout',
    })
    expect(await invokeCallable(describeCallable(task(fixture, 'shout')), ['x'])).toBe('X!')
    expect(await loadCallable(describeCallable(task(fixture, 'shout')))).toBe(await loadCallable(describeCallable(task(fixture, 'shout'))))
  })

  it('sends global built-ins (String, Number, parseInt) by name', async () => {
    expect(describeCallable(String)).toEqual({ kind: 'source', source: 'String', name: 'String' })
    expect(await invokeCallable(describeCallable(String), [42])).toBe('42')
    expect(await invokeCallable(describeCallable(parseInt), ['ff', 16])).toBe(255)
  })

  it('reaches currentTask() through a global, for functions that cannot import the package', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const f = ex.submit(() => (globalThis as Record<symbol, (() => { id: number } | undefined) | undefined>)[Symbol.for('@x/future.currentTask')]?.()?.id)
    expect(await f).toBe(f.id)
  })

  it('refuses native, bound, class and non-function values with a TypeError naming the fix', () => {
    expect(() => describeCallable(Math.pow)).toThrow(/"pow" is a native function.*submit\(\(a, b\) => Math\.pow\(a, b\), 2, 8\).*task\(url, name\)/)
    const bound = function f(this: unknown) {
      return this
    }.bind(null)
    expect(() => describeCallable(bound)).toThrow(/"bound f" is a bound function/)
    expect(() => describeCallable(class A {
      readonly x = 1
    } as never)).toThrow(/is a class/)
    expect(() => describeCallable(42 as never)).toThrow(/expected a function or a task/)
    // eslint-disable-next-line @typescript-eslint/unbound-method -- an accessor, sent on purpose
    const accessor = Object.getOwnPropertyDescriptor({ get x() { return 1 } }, 'x')?.get
    expect(() => describeCallable(accessor as never)).toThrow(/cannot be compiled on its own/)
  })

  it('explains a function that uses a variable from outside itself', async () => {
    const outside = 3
    const spec = describeCallable((x: number) => x * outside)
    const error = (await rejection(invokeCallable(spec, [2]))) as ReferenceError & { code: string }
    expect(error).toBeInstanceOf(ReferenceError)
    expect(error.code).toBe('ERR_OUTSIDE_VARIABLE')
    expect(error.message).toContain('uses "outside", a variable from outside the function')
    expect(error.message).toContain('pass "outside" as an argument')
    expect(error.message).toContain('task(')
    expect((error.cause as Error).message).toBe('outside is not defined')
    // a task's own ReferenceError about a global is left alone
    const own = describeCallable(() => {
      throw new ReferenceError('my own')
    })
    expect(((await rejection(invokeCallable(own, []))) as Error).message).toBe('my own')
    // the same explanation for backends that call loaded functions themselves
    const direct = explainCallError(spec, new ReferenceError('outside is not defined')) as { code: string }
    expect(direct.code).toBe('ERR_OUTSIDE_VARIABLE')
    const taskError = new ReferenceError('outside is not defined')
    expect(explainCallError(describeCallable(task(fixture, 'shout')), taskError)).toBe(taskError)
  })

  it('names a missing export or an export that is not a function', async () => {
    expect(String(await rejection(loadCallable({ kind: 'task', module: fixture.href, exportName: 'nope', name: 'nope' })))).toMatch(
      /has no export named "nope"; its function exports are: shout/,
    )
    expect(String(await rejection(loadCallable({ kind: 'task', module: fixture.href, exportName: 'answer', name: 'answer' })))).toMatch(
      /export "answer" of .* is not a function \(it is 42\)/,
    )
  })
})

describe('checkArguments', () => {
  it('refuses futures, executors and functions anywhere in the arguments, naming the argument', async () => {
    const f = new Future()
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    expect(() => {
      checkArguments([1, f])
    }).toThrow(/^argument 2 is a Future: .*currentTask\(\)\.executor/)
    expect(() => {
      checkArguments([{ items: [0, 1, 2, ex] }])
    }).toThrow(/^argument 1\.items\[3\] is an Executor: .*currentTask\(\)\.executor/)
    expect(() => {
      checkArguments([new Map([['k', f]])])
    }).toThrow(/argument 1\.get\("k"\) is a Future inside an argument: pass it at top level/)
    expect(() => {
      checkArguments([new Set([() => 1])])
    }).toThrow(/argument 1 \(a Set item\) is a function/)
    expect(() => {
      checkArguments([1, 'a', { deep: { ok: [1n, new Date(), new Uint8Array(3)] } }, null, undefined])
    }).not.toThrow()
    expect(() => {
      checkArguments([task(fixture, 'shout')])
    }).not.toThrow()
  })
})

describe('serializeError / deserializeError', () => {
  const roundTrip = (error: unknown): unknown => deserializeError(structuredClone(serializeError(error)))

  it('keeps the built-in class, name, message, code, own properties, cause chain and stack', () => {
    const inner = new RangeError('inner')
    const error = new TypeError('outer', { cause: inner }) as TypeError & { code: string; info: unknown }
    error.code = 'E_OUTER'
    error.info = { n: 1n, when: new Date(0), list: [1, 2] }
    const copy = roundTrip(error) as typeof error
    expect(copy).toBeInstanceOf(TypeError)
    expect(copy).not.toBe(error)
    expect(copy.message).toBe('outer')
    expect(copy.code).toBe('E_OUTER')
    expect(copy.info).toEqual({ n: 1n, when: new Date(0), list: [1, 2] })
    expect(copy.cause).toBeInstanceOf(RangeError)
    expect((copy.cause as Error).message).toBe('inner')
    expect(copy.stack).toBe(error.stack)
  })

  it('keeps custom error names and report-like properties (e.g. DeadlockError)', () => {
    class DeadlockError extends Error {
      readonly report = { kind: 'cycle', tasks: [{ id: 1, name: 'a' }] }
      constructor() {
        super('deadlock detected')
        this.name = 'DeadlockError'
      }
    }
    const copy = roundTrip(new DeadlockError()) as Error & { report: unknown }
    expect(copy).toBeInstanceOf(Error)
    expect(copy.name).toBe('DeadlockError')
    expect(copy.report).toEqual({ kind: 'cycle', tasks: [{ id: 1, name: 'a' }] })
    expect(String(copy)).toBe('DeadlockError: deadlock detected')
  })

  it('keeps thrown non-errors and AggregateError members; survives cycles and unclonable values', () => {
    for (const value of [0, '', null, undefined, false, 'text', { a: 1 }]) expect(roundTrip(value)).toEqual(value)
    const aggregate = roundTrip(new AggregateError([new Error('a'), new RangeError('b')], 'many')) as AggregateError
    expect(aggregate).toBeInstanceOf(AggregateError)
    expect(aggregate.errors.map((e: Error) => e.constructor.name)).toEqual(['Error', 'RangeError'])
    const cyclic = new Error('cyclic') as Error & { self?: unknown; fn?: unknown }
    cyclic.cause = cyclic
    cyclic.fn = () => 1
    const copy = roundTrip(cyclic) as Error & { fn: unknown }
    expect(copy.message).toBe('cyclic')
    expect(typeof copy.fn).toBe('string')
    expect(isSerializedError(serializeError(cyclic))).toBe(true)
    expect(isSerializedError({ message: 'x' })).toBe(false)
  })
})
