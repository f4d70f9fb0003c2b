// What user code sees of `currentTask()` inside a worker: the documented fields, not the worker's
// internals (the runtime it would reach is circular: JSON.stringify threw on it).
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { newNestedExecutor } from '../src/worker/nested.js'
import { WorkerTaskContext } from '../src/worker/task-context.js'
import { link } from './test-link.js'


describe('WorkerTaskContext', () => {
  it('has only the documented fields as own enumerable properties; console.log and JSON.stringify show no internals', () => {
    const runtime = { executor: newNestedExecutor(link) }
    const circular = Object.assign(runtime, { self: runtime })
    const context = new WorkerTaskContext(7, 'f', circular, undefined, link)
    context.progress(1)
    expect(context.signal.aborted).toBe(false)
    expect(Object.keys(context)).toEqual(['id', 'name'])
    expect(Object.getOwnPropertyNames(context)).toEqual(['id', 'name'])
    expect(JSON.parse(JSON.stringify(context))).toEqual({ id: 7, name: 'f' })
    expect(inspect(context)).toBe("WorkerTaskContext { id: 7, name: 'f' }")
    // the documented rest is there, on the prototype
    expect([typeof context.progress, context.signal.aborted, context.executor]).toEqual(['function', false, runtime.executor])
    context.end()
  })

  it('keeps an abort that came before the task started, and one that comes later', () => {
    const early = new WorkerTaskContext(1, undefined, { executor: newNestedExecutor(link) }, 'early')
    expect([early.aborted, early.signal.aborted, early.signal.reason]).toEqual([true, true, 'early'])
    const late = new WorkerTaskContext(2, undefined, { executor: newNestedExecutor(link) })
    const signal = late.signal
    expect([late.aborted, signal.aborted]).toEqual([false, false])
    late.abort('late')
    expect([late.aborted, signal.aborted, signal.reason]).toEqual([true, true, 'late'])
  })
})
