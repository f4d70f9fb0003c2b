/**
 * The generator a worker streams through its local executor for every `stream()` job: it runs
 * inside that executor (a thread, a child process, or the worker's own thread), decodes the call
 * and yields what the user's generator yields, each step in the remote task's context
 * (`currentTask()` gives the submitter's future id, nested work, the local task's signal and
 * progress). The local executor's `stream()` drives it; `serve()` forwards its values to Redis.
 *
 * @module
 */
import { describeValue, explainCallError, loadCallable, withTaskContext } from '@x/future'
import { openJob } from './runner.js'
import type { RunnerContext } from './runner.js'
import type { WirePayload } from './job-data.js'

/**
 * Runs one `stream()` job's generator. Called by the worker through its local executor's
 * `stream()`, as a `task()` of this module.
 *
 * @param payload the job's payload, as BullMQ stored it (JSON or base64: see `encodePayload`)
 * @param context the worker's connection, queue, root and policy
 * @throws what the generator throws, or a TypeError when the function is not a generator function.
 */
export async function* streamJob(payload: WirePayload, context: RunnerContext): AsyncGenerator<unknown, void, undefined> {
  const { job, spec, task, close } = openJob(payload, context)
  try {
    const fn = await loadCallable(spec)
    // aborted while the module loaded (the consumer left, or its signal): the generator never starts
    if (task.signal.aborted) return
    const made: unknown = withTaskContext(task, () => fn(...job.args))
    if (typeof made !== 'object' || made === null || typeof (made as { next?: unknown }).next !== 'function') {
      throw new TypeError(`stream(): ${spec.name} must be a generator function (function* or async function*); it returned ${describeValue(made)}`)
    }
    const iterator = made as AsyncIterator<unknown> | Iterator<unknown>
    let finished = false
    try {
      for (;;) {
        let step: IteratorResult<unknown>
        try {
          step = await withTaskContext(task, () => iterator.next())
        } catch (error) {
          finished = true // a generator that threw is closed already
          throw explainCallError(spec, error)
        }
        if (step.done === true) {
          finished = true
          return
        }
        yield step.value
      }
    } finally {
      // the consumer stopped early (its break aborted the task): the generator's finally blocks run
      if (!finished) await withTaskContext(task, () => iterator.return?.())
    }
  } finally {
    close()
  }
}
