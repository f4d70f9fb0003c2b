// What crosses the process boundary: values, errors, environment, callables, and what is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future } from '@x/future'
import { ProcessPoolExecutor, SerializationError } from '@x/process-pool'
import { rejection, t, tasksUrl } from './helpers.js'

let pool: ProcessPoolExecutor

beforeAll(() => {
  process.env.X_PP_INHERITED = 'from-parent'
  process.env.X_PP_REMOVED = 'should-not-arrive'
  pool = new ProcessPoolExecutor({ maxWorkers: 2, env: { X_PP_EXTRA: 'extra', X_PP_REMOVED: undefined } })
})

afterAll(async () => {
  await pool.shutdown()
  delete process.env.X_PP_INHERITED
  delete process.env.X_PP_REMOVED
})

describe('values survive the trip both ways (advanced serialization)', () => {
  it('a BigInt round trip', async () => {
    expect(await pool.submit((a: bigint, b: bigint) => a ** b, 323n, 1235n)).toBe(323n ** 1235n)
    expect(await pool.submit(t('echo'), -(2n ** 200n))).toBe(-(2n ** 200n))
  })

  it('Map, Set, Date, typed arrays, RegExp, undefined, NaN and nested structures', async () => {
    const value = {
      map: new Map<unknown, unknown>([[1, new Set(['a', 2n])], ['k', { deep: [undefined, null, NaN, -0] }]]),
      date: new Date(1_700_000_000_000),
      bytes: new Uint8Array([1, 2, 255]),
      doubles: new Float64Array([0.5, -1e300]),
      re: /x+/giu,
    }
    const back = (await pool.submit(t('echo'), value)) as typeof value
    expect(back).toEqual(value)
    expect(back.map).toBeInstanceOf(Map)
    expect(back.date).toBeInstanceOf(Date)
    expect(back.bytes).toBeInstanceOf(Uint8Array)
    expect(Object.is((back.map.get('k') as { deep: unknown[] }).deep[3], -0)).toBe(true)
    expect(await pool.submit(t('inspect'), new Set([1]))).toEqual({ type: 'object', tag: '[object Set]', ctor: 'Set' })
    expect(await pool.submit(t('inspect'), 10n)).toEqual({ type: 'bigint', tag: '[object BigInt]', ctor: 'BigInt' })
  })

  it('a transfer list is accepted but the value is copied: the parent keeps its buffer', async () => {
    const bytes = new Uint8Array([1, 2, 3])
    const back = await pool.submitWith({ transfer: [bytes.buffer] }, t('echo'), bytes)
    expect(back).toEqual(new Uint8Array([1, 2, 3]))
    expect(bytes.byteLength).toBe(3)
  })

  it('an error passed as a value arrives as an error', async () => {
    const back = await pool.submit(t('echo'), new RangeError('as data'))
    expect(back).toBeInstanceOf(RangeError)
    expect((back as Error).message).toBe('as data')
  })
})

describe('environment', () => {
  it('children inherit the parent environment, plus env, minus undefined entries', async () => {
    expect(await pool.submit(t('env'), 'X_PP_INHERITED')).toBe('from-parent')
    expect(await pool.submit(t('env'), 'X_PP_EXTRA')).toBe('extra')
    expect(await pool.submit(t('env'), 'X_PP_REMOVED')).toBeUndefined()
    expect(await pool.submit(t('env'), 'PATH')).toBe(process.env.PATH)
  })

  it("a task sees no arguments of the pool's own in process.argv (as under a plain `node script`)", async () => {
    expect(await pool.submit(t('argv'))).toEqual([])
  })
})

describe('errors from a child', () => {
  it('arrive with class, name, message, code, own properties, cause chain and the child stack', async () => {
    const error = (await rejection(pool.submit(t('failRich'), 'boom'))) as RangeError & {
      code: string
      details: unknown
      cause: Error & { code: string }
    }
    expect(error).toBeInstanceOf(RangeError)
    expect(error.name).toBe('RangeError')
    expect(error.message).toBe('boom')
    expect(error.code).toBe('E_RICH')
    expect(error.details).toEqual({ id: 7n, tags: new Set(['a']) })
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.cause.message).toBe('root cause')
    expect(error.cause.code).toBe('E_ROOT')
    // the stack is the child's: it names the fixture line that threw
    expect(error.stack).toContain('fixtures/tasks.mjs')
    expect(error.stack).toContain('failRich')
  })

  it('a user-defined class keeps its name and code', async () => {
    const error = (await rejection(pool.submit(t('failCustom'), 'mine'))) as Error & { code: string }
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('CustomError')
    expect(error.code).toBe('E_CUSTOM')
    expect(error.message).toBe('mine')
  })

  it('non-error thrown values are delivered as they were', async () => {
    for (const value of [0, '', null, 42, 'text']) {
      expect(await rejection(pool.submit(t('throwValue'), value))).toBe(value)
    }
    expect(await pool.submit(t('square'), 7)).toBe(49)
  })

  it("a SystemExit-like error is just that future's error; the pool is not broken (scenario G80)", async () => {
    const error = (await rejection(pool.submit(t('systemExit'), 1))) as Error & { exitCode: number }
    expect(error.name).toBe('SystemExit')
    expect(error.exitCode).toBe(1)
    expect(await pool.submit(t('square'), 3)).toBe(9)
  })
})

describe('values that cannot cross', () => {
  it('an argument that cannot be serialized fails that future alone, naming the argument (G69)', async () => {
    const before = pool.submit(t('square'), 2)
    const bad = pool.submit(t('mul'), 2, Symbol('nope'))
    const after = pool.submit(t('square'), 3)
    expect(bad).toBeInstanceOf(Future)
    const error = (await rejection(bad)) as SerializationError
    expect(error).toBeInstanceOf(SerializationError)
    expect(error.code).toBe('ERR_PROCESS_POOL_SERIALIZATION')
    expect(error.message).toContain('argument 2 of "mul" cannot be sent to a child process')
    expect(error.message).toContain('Symbol(nope) could not be cloned. Pass data that')
    // the clone error's own period is not doubled (issue 15: "could not be cloned..")
    expect(error.message).not.toContain('..')
    expect(await before).toBe(4)
    expect(await after).toBe(9)
  })

  it('an unserializable item inside a map chunk fails that chunk, naming the item', async () => {
    const error = (await rejection(
      (async () => {
        const out: unknown[] = []
        for await (const v of pool.map(t('echo'), [1, 2, Symbol('x'), 4], { chunksize: 4 })) out.push(v)
        return out
      })(),
    )) as SerializationError
    expect(error).toBeInstanceOf(SerializationError)
    expect(error.message).toContain('argument 1 of item 3')
  })

  it('a result that cannot be serialized fails that future alone, saying it was the result (G70)', async () => {
    const error = (await rejection(pool.submit(t('returnSymbol')))) as SerializationError
    expect(error.name).toBe('SerializationError')
    expect(error.code).toBe('ERR_PROCESS_POOL_SERIALIZATION')
    expect(error.message).toContain('the result of task "returnSymbol"')
    expect(error.message).toContain('cannot be sent back to the parent process')
    expect(error.message).toMatch(/could not be cloned\. Return data that/u)
    expect(error.message).not.toContain('..')
    const fnError = (await rejection(pool.submit(t('returnFunction')))) as Error
    expect(fnError.message).toContain('the result of task "returnFunction"')
    // results of other tasks in the same batch still arrive
    const results = await Promise.all([1, 2, 3].map((n) => pool.submit(t('square'), n)))
    expect(results).toEqual([1, 4, 9])
  })

  it('an Executor or a Future as an argument is refused with a TypeError naming currentTask().executor', () => {
    const other = new AsyncPoolExecutor()
    expect(() => pool.submit(t('echo'), other)).toThrow(TypeError)
    expect(() => pool.submit(t('echo'), pool)).toThrow(/currentTask\(\)\.executor/)
    expect(() => pool.submit(t('echo'), { nested: [new Future()] })).toThrow(/argument 1\.nested\[0\] is a Future.*currentTask\(\)\.executor/s)
    void other.shutdown()
  })

  it('a Future inside an argument of a chunked map() is refused before anything is sent', () => {
    const before = pool.stats().completed
    expect(() => pool.map(t('echo'), [1, { nested: [new Future()] }, 3], { chunksize: 3 })).toThrow(
      /argument 1\.nested\[0\] is a Future.*currentTask\(\)\.executor/s,
    )
    expect(pool.stats().completed).toBe(before)
  })

  it('built-in globals travel by name: map(String) ports Python\'s map(str)', async () => {
    expect(await pool.submit(String, 12)).toBe('12')
    expect(await pool.submit(BigInt, '12345678901234567890')).toBe(12345678901234567890n)
    const out: unknown[] = []
    for await (const v of pool.map(Number, ['1', '2.5'], { chunksize: 2 })) out.push(v)
    expect(out).toEqual([1, 2.5])
  })

  it('native and bound functions are refused with a TypeError that names the fix', () => {
    expect(() => pool.submit(Math.pow, 2, 8)).toThrow(/native function/)
    expect(() => pool.submit(((x: number) => x).bind(null), 1)).toThrow(/bound function/)
  })

  it('a function that uses an outside variable fails with an error that says so', async () => {
    const outside = 5
    const error = (await rejection(pool.submit((x: number) => x + outside, 1))) as Error
    expect(error.message).toContain('"outside"')
    expect(error.message).toContain('variable from outside the function')
  })
})

describe('callables', () => {
  it('runs task modules by URL and self-contained functions; the child needs no importable entry point', async () => {
    expect(await pool.submit(t('square'), 12)).toBe(144)
    expect(await pool.submit(async (a: number, b: number) => Promise.resolve(a * b), 6, 7)).toBe(42)
    expect(await pool.submitWith({ name: 'ctx' }, t('context'))).toMatchObject({ name: 'ctx', kind: 'process' })
    // (only the documented fields: no worker internals, which JSON.stringify found circular)
    expect(await pool.submitWith({ name: 'ctx' }, t('contextShown'))).toEqual({
      keys: ['id', 'name'],
      json: expect.stringMatching(/^\{"id":\d+,"name":"ctx"\}$/) as unknown,
      shown: expect.stringMatching(/^WorkerTaskContext \{ id: \d+, name: 'ctx' \}$/) as unknown,
    })
    expect(String(tasksUrl)).toMatch(/^file:/)
  })

  it('map with several inputs, chunks of mixed values, and results in input order', async () => {
    const out: unknown[] = []
    for await (const v of pool.map(t('mul'), [1, 2, 3, 4, 5], [10n, 20n, 30n, 40n, 50n].map(Number), { chunksize: 2 })) out.push(v)
    expect(out).toEqual([10, 40, 90, 160, 250])
    const mixed: unknown[] = []
    for await (const v of pool.map(t('echo'), ['a', 1, 2n, null, { x: 1 }], { chunksize: 3 })) mixed.push(v)
    expect(mixed).toEqual(['a', 1, 2n, null, { x: 1 }])
    const floats: unknown[] = []
    for await (const v of pool.map((x: number) => x / 3, [1, -0, NaN, 2.5], { chunksize: 4 })) floats.push(v)
    expect(floats).toEqual([1 / 3, -0, NaN, 2.5 / 3])
    expect(Object.is(floats[1], -0)).toBe(true)
  })
})
