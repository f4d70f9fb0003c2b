import { currentTask } from '@x/future'
import type { CallableSpec } from '@x/future'
import { describe, expect, it } from 'vitest'
import { packTuples, unpackColumn } from '../src/chunk-codec.js'
import type { Column } from '../src/chunk-codec.js'
import { isThenable, runCall } from '../src/worker/run-call.js'
import { newNestedExecutor } from '../src/worker/nested.js'
import { WorkerTaskContext } from '../src/worker/task-context.js'
import { link } from './test-link.js'

const spec: CallableSpec = { kind: 'source', source: '(x) => x', name: 'f' }
const runtime = { executor: newNestedExecutor(link) }
const context = (id = 7): WorkerTaskContext => new WorkerTaskContext(id, 'f', runtime)

describe('runCall', () => {
  it('answers a call that returns a plain value synchronously, inside its task context', () => {
    const value = runCall(spec, (x) => [x, currentTask()?.id], [1], false, context(7))
    expect(isThenable(value)).toBe(false)
    expect(value).toEqual([1, 7])
  })

  it('returns a promise only for a call that returns a promise or a thenable', async () => {
    const viaPromise = runCall(spec, (x) => Promise.resolve((x as number) + 1), [1], false, context())
    expect(viaPromise).toBeInstanceOf(Promise)
    expect(await viaPromise).toBe(2)
    const thenable = { then: (resolve: (v: unknown) => void) => { resolve('t') } }
    const viaThenable = runCall(spec, () => thenable, [], false, context())
    expect(viaThenable).toBeInstanceOf(Promise)
    expect(await viaThenable).toBe('t')
  })

  it('throws a synchronous error, and rejects with an asynchronous one, explained alike', async () => {
    const outside = (): unknown => (globalThis as unknown as { notDefinedHere: () => unknown }).notDefinedHere()
    const reference = (): never => {
      throw new ReferenceError('notDefinedHere is not defined')
    }
    let thrown: unknown
    try {
      runCall(spec, reference, [], false, context())
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ code: 'ERR_OUTSIDE_VARIABLE' })
    await expect(runCall(spec, () => Promise.resolve().then(reference), [], false, context()) as Promise<unknown>).rejects.toMatchObject({ code: 'ERR_OUTSIDE_VARIABLE' })
    expect(() => runCall(spec, outside, [], false, context())).toThrow(TypeError)
  })

  it('runs a chunk synchronously while its calls return plain values, and awaits from the first promise on', async () => {
    const packed = packTuples([[1, 10], [2, 20], [3, 30]])
    const sync = runCall(spec, (a, b) => (a as number) + (b as number), packed, true, context())
    expect(isThenable(sync)).toBe(false)
    expect(unpackColumn(sync as Column)).toEqual([11, 22, 33])
    const order: number[] = []
    const mixed = runCall(
      spec,
      (a, b) => {
        order.push(a as number)
        return a === 2 ? Promise.resolve((a as number) * (b as number)) : (a as number) * (b as number)
      },
      packed,
      true,
      context(),
    )
    expect(isThenable(mixed)).toBe(true)
    expect(order).toEqual([1, 2]) // the third call waits for the second's promise
    expect(unpackColumn((await mixed) as Column)).toEqual([10, 40, 90])
    expect(order).toEqual([1, 2, 3])
  })

  it('packs a chunk of numbers into one Float64Array; from the first other value on, the results go in an array', async () => {
    const packed = packTuples([[1], [-0], [Number.NaN], [4]])
    const numbers = runCall(spec, (x) => x, packed, true, context())
    expect(numbers).toBeInstanceOf(Float64Array)
    expect(Array.from(numbers as Float64Array)).toEqual([1, -0, Number.NaN, 4])
    expect(Object.is((numbers as Float64Array)[1], -0)).toBe(true)
    const later = runCall(spec, (x) => (x === 4 ? 'four' : x), packed, true, context())
    expect(later).toEqual([1, -0, Number.NaN, 'four'])
    expect(Object.is((later as unknown[])[1], -0)).toBe(true)
    expect(runCall(spec, (x) => (x === 1 ? null : x), packed, true, context())).toEqual([null, -0, Number.NaN, 4])
    // a number after a promise: awaited in order, packed at the end
    const awaited = runCall(spec, (x) => (Number.isNaN(x) ? Promise.resolve(3) : x), packed, true, context())
    expect(isThenable(awaited)).toBe(true)
    expect(Array.from((await awaited) as Float64Array)).toEqual([1, -0, 3, 4])
    expect(runCall(spec, (x) => x, [0], true, context())).toEqual(new Float64Array(0))
  })
})
