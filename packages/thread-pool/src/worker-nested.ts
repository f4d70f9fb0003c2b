/**
 * Nested work inside a worker thread (internal): `currentTask().executor` submits to the pool
 * that runs the task, through the coordinator (the main thread).
 *
 * @internal
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import { Executor, Future, FutureError, checkArguments, currentTask, describeCallable, deserializeError } from '@x/future'
import type { Callable, CallableSpec, FunctionOf, SerializedError, ShutdownOptions, SubmitOptions } from '@x/future'
import type { UpMessage } from './protocol.js'

/** What the nested executor needs of the worker's session. */
export interface Poster {
  readonly released: boolean
  post(message: UpMessage, transfer?: readonly Transferable[]): void
}

/** Local future id → the local id the coordinator knows it by (forwarded waits read it). */
export const proxyIds = new Map<number, number>()

const executors = new Map<string, WorkerExecutor>()

export function executorFor(label: string, maxWorkers: number): WorkerExecutor {
  let executor = executors.get(label)
  if (executor === undefined) {
    executor = new WorkerExecutor(label, maxWorkers)
    executors.set(label, executor)
  }
  return executor
}

/**
 * `currentTask().executor` inside a worker: submits to the pool that runs the task, through the
 * coordinator. Its futures are ordinary futures of this thread, settled when the coordinator's
 * futures settle.
 */
export class WorkerExecutor extends Executor {
  #session: Poster | undefined
  #nextLocalId = 1
  readonly #pending = new Map<number, NestedFuture>()

  constructor(label: string, maxWorkers: number) {
    super({ kind: 'thread', maxWorkers, name: `${label} (from a worker)` })
  }

  attach(current: Poster): void {
    this.#session = current
  }

  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: Parameters<FunctionOf<C>>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    const spec = describeCallable(fn)
    checkArguments(args)
    return this.#send(spec, args, options, false) as Future<Awaited<ReturnType<FunctionOf<C>>>>
  }

  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    const spec = describeCallable(fn)
    for (const tuple of argTuples) checkArguments(tuple)
    return this.#send(spec, argTuples, {}, true) as Future<unknown[]>
  }

  #send(spec: CallableSpec, args: readonly unknown[], options: SubmitOptions, chunk: boolean): Future {
    const current = this.#session
    if (current === undefined || current.released) {
      throw new Error('this pool is not reachable from here any more: submit nested work only while a task of the pool runs')
    }
    const localId = this.#nextLocalId++
    const future = new NestedFuture(options.name ?? spec.name, () => {
      current.post(['cancel', localId])
    })
    this.#pending.set(localId, future)
    proxyIds.set(future.id, localId)
    current.post(
      ['submit', localId, spec, args, options.name, currentTask()?.id, chunk],
      options.transfer as Transferable[] | undefined,
    )
    // A signal given here can cancel the nested future while it is pending (it cannot cross to
    // the worker that runs it): aborting it asks the pool to cancel.
    const signal = options.signal
    if (signal !== undefined) {
      if (signal.aborted) future.cancel()
      else {
        const onAbort = (): void => {
          future.cancel()
        }
        signal.addEventListener('abort', onAbort, { once: true })
        future.addDoneCallback(() => {
          signal.removeEventListener('abort', onAbort)
        })
      }
    }
    return future
  }

  settle(localId: number, how: 'ok' | 'error' | 'cancelled', value: unknown): void {
    const future = this.#pending.get(localId)
    if (future === undefined) return
    this.#pending.delete(localId)
    proxyIds.delete(future.id)
    if (how === 'cancelled') {
      future.cancelHere()
      future.setRunningOrNotifyCancel()
      return
    }
    future.setRunningOrNotifyCancel()
    if (how === 'ok') future.setResult(value)
    else future.setException(deserializeError(value as SerializedError))
  }

  /**
   * Shuts the pool down (through the coordinator), as Python does even when called from inside
   * one of its tasks. With `wait: true` (the default) it then rejects with
   * "cannot join current thread": waiting would mean waiting for this very task.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const wait = options?.wait !== false
    this.#session?.post(['shutdown', wait, options?.cancelFutures === true, currentTask()?.id])
    if (wait) {
      return Promise.reject(
        new FutureError(
          'cannot join current thread: shutdown({ wait: true }) was called from inside a task of this pool, ' +
            'and it would wait for that very task to finish (a deadlock). The pool is shut down; call ' +
            'shutdown({ wait: false }) from inside a task, or shutdown() from the code that created the pool.',
          'ERR_SHUTDOWN_FROM_TASK',
        ),
      )
    }
    return Promise.resolve()
  }
}

/**
 * A future of nested work, as seen inside the worker. `cancel()` cannot answer synchronously
 * for a future that lives on the coordinator: it asks the coordinator to cancel and returns
 * `false`; the future becomes cancelled if the coordinator's cancel succeeded.
 */
class NestedFuture extends Future {
  readonly #requestCancel: () => void

  constructor(name: string, requestCancel: () => void) {
    super({ name })
    this.#requestCancel = requestCancel
  }

  override cancel(): boolean {
    if (this.done()) return this.cancelled()
    this.#requestCancel()
    return false
  }

  cancelHere(): void {
    super.cancel()
  }
}

