// "Writing a backend" (README): a third-party executor written only against the public contract,
// checked by the same conformance suite the built-in executors run.
import { describeExecutorConformance } from '@x/future/testing'
import { Executor, Future, ShutdownError, channels, currentTask, isTask, loadCallable, withTaskContext } from '@x/future'
import type { Callable, FunctionOf, ShutdownOptions, SubmitOptions } from '@x/future'

interface Job {
  future: Future
  run: () => unknown
  signal: AbortSignal | undefined
}

/** Runs each call in its own macrotask (setImmediate), at most maxWorkers at once. */
class ImmediateExecutor extends Executor {
  readonly #queue: Job[] = []
  #running = 0
  #closed = false
  #idle: (() => void)[] = []

  constructor(options: { maxWorkers: number; maxQueue?: number }) {
    // maxQueue (and with it onRoom(), stats() and dependencies) is the base class's work
    super({ kind: 'immediate', maxWorkers: options.maxWorkers, maxQueue: options.maxQueue })
  }

  submitWith<C extends Callable>(options: SubmitOptions, fn: C, ...args: Parameters<FunctionOf<C>>): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    if (typeof fn !== 'function' && !isTask(fn)) throw new TypeError('submit() needs a function or a task handle')
    if (this.#closed) throw new ShutdownError()
    const future = new Future<Awaited<ReturnType<FunctionOf<C>>>>({ name: options.name ?? fn.name })
    const call = isTask(fn)
      ? async (): Promise<unknown> => (await loadCallable({ kind: 'task', ...fn }))(...args)
      : (): unknown => (fn as (...a: unknown[]) => unknown)(...args)
    const job: Job = { future, run: call, signal: options.signal }
    this.#queue.push(job)
    // 1. a queued future that gets cancelled leaves the queue and is acknowledged at once
    future.addDoneCallback(() => {
      const index = this.#queue.indexOf(job)
      if (index >= 0) {
        this.#queue.splice(index, 1)
        future.setRunningOrNotifyCancel()
        this.#checkIdle()
      }
    })
    // 2. an abort while pending cancels
    options.signal?.addEventListener('abort', () => future.cancel(), { once: true })
    if (options.signal?.aborted === true) future.cancel()
    // 3. diagnostics: publish the submit (and, below, the start)
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({ futureId: future.id, executorId: this.id, name: future.name, callerTaskId: currentTask()?.id })
    }
    setImmediate(() => {
      this.#pump()
    })
    return future
  }

  async shutdown(options?: ShutdownOptions): Promise<void> {
    this.publishShutdown(options?.wait ?? true, options?.cancelFutures ?? false)
    this.#closed = true
    if (options?.cancelFutures === true) for (const job of [...this.#queue]) job.future.cancel()
    if (options?.wait === false || (this.#queue.length === 0 && this.#running === 0)) return
    await new Promise<void>((resolve) => this.#idle.push(resolve))
  }

  #pump(): void {
    while (this.#running < this.maxWorkers && this.#queue.length > 0) {
      const job = this.#queue.shift()
      if (!job?.future.setRunningOrNotifyCancel()) continue
      this.#running++
      const slot = this.#running
      if (channels.futureStart.hasSubscribers) channels.futureStart.publish({ futureId: job.future.id, executorId: this.id, workerId: slot })
      const controller = new AbortController()
      job.signal?.addEventListener('abort', () => {
        controller.abort(job.signal?.reason)
      }, { once: true })
      const context = { id: job.future.id, name: job.future.name, signal: controller.signal, executor: this }
      Promise.resolve()
        .then(() => withTaskContext(context, job.run))
        .then(
          (value) => {
            job.future.setResult(value)
          },
          (error: unknown) => {
            job.future.setException(error)
          },
        )
        .finally(() => {
          this.#running--
          this.#pump()
          this.#checkIdle()
        })
    }
  }

  #checkIdle(): void {
    if (this.#queue.length === 0 && this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }
}

describeExecutorConformance('a third-party backend (ImmediateExecutor)', (options) => new ImmediateExecutor(options))
