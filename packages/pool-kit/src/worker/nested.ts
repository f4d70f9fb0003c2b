/**
 * Nested work: `currentTask().executor` inside a worker submits to the same pool through the
 * main side. The worker holds a {@link ProxyFuture} per nested call; the pool owns the real
 * future and sends its outcome back (`settle`).
 *
 * The classes extend `@x/future`'s `Executor` and `Future`, which a worker does not load to run
 * its tasks (`@x/future/runtime`): they are defined on the first {@link newNestedExecutor} call,
 * from `executorClasses()` (the task module that reached `currentTask()` has loaded them).
 *
 * @module
 */
import { checkArguments, currentTask, describeCallable, deserializeError, executorClasses, FutureError, ShutdownError } from '@x/future/runtime'
import type { Callable, Executor, FunctionOf, Future, SerializedError, ShutdownOptions, SubmitArgs, SubmitOptions } from '@x/future'
import { packTuples } from '../chunk-codec.js'
import { SerializationError } from '../errors.js'
import type { FromWorker, NestedOutcome } from '../protocol.js'

/**
 * How the worker runtime reaches its pool, and how its messages word things.
 * @since 0.1.0
 */
export interface WorkerLink {
  /** Sends a message to the pool (throws when a value cannot be copied). */
  send(message: FromWorker): void
  /**
   * Sends the result of one call that returned (`meanMs`: how long it ran), what a `results`
   * message of it alone says, in the wire's short form for it (throws like `send`). Optional:
   * without it, such a result goes as that message.
   */
  sendResult?: ((id: number, value: unknown, meanMs: number) => void) | undefined
  /** `'thread'` or `'process'` (the executor kind). */
  readonly kind: string
  /** The pool's label (its executor's name). */
  readonly label: string
  /** The pool's `maxWorkers`. */
  readonly maxWorkers: number
  /** Who is on the other side, for messages: `'the parent process'`, `'the main thread'`. */
  readonly peer: string
  /** Where results go, for messages: `'from the worker to the main thread'`. @default `to <peer>` */
  readonly resultRoute?: string | undefined
  /** The pool, for messages: `'process pool'`, `'thread pool'`. */
  readonly poolNoun: string
  /** The `code` of a {@link SerializationError} made here. */
  readonly serializationCode: string
}

/**
 * A future in the worker for work submitted from inside a task; the pool runs it.
 * @since 0.1.0
 */
export interface ProxyFuture extends Future {
  /** The number the pool knows this nested call by. */
  readonly ref: number
  /** The pool's future ended. */
  settle(outcome: NestedOutcome, value: unknown): void
}

/**
 * `currentTask().executor` inside a worker: submits to the same pool through the main side. The
 * returned futures can be awaited here (never pass them to other tasks).
 * @since 0.1.0
 */
export interface NestedExecutor extends Executor {
  /** Unsettled proxies by ref. */
  readonly proxies: Map<number, ProxyFuture>
  /** Proxy future id → ref (for forwarded waits). */
  readonly refByFutureId: Map<number, number>
  /** The pool settled nested call `ref`. */
  settle(ref: number, outcome: NestedOutcome, value: unknown): void
}

let nestedClass: (new (link: WorkerLink) => NestedExecutor) | undefined

/**
 * A worker's nested executor (the first call defines its class).
 * @since 0.1.0
 */
export function newNestedExecutor(link: WorkerLink): NestedExecutor {
  nestedClass ??= defineNestedExecutor()
  return new nestedClass(link)
}

function defineNestedExecutor(): new (link: WorkerLink) => NestedExecutor {
  const { Executor: ExecutorClass, Future: FutureClass } = executorClasses()

  class ProxyFutureImpl extends FutureClass implements ProxyFuture {
    /** The number the pool knows this nested call by. */
    readonly ref: number
    readonly #link: WorkerLink
    readonly #onSettled: (future: ProxyFutureImpl) => void
    #settling = false

    constructor(ref: number, name: string | undefined, link: WorkerLink, onSettled: (future: ProxyFutureImpl) => void) {
      super({ name })
      this.ref = ref
      this.#link = link
      this.#onSettled = onSettled
    }

    /**
     * Asks the pool to cancel the call. The pool owns the real future, so this cannot know at once
     * whether the call already started: it returns `false` unless this future is already
     * cancelled, and the future becomes cancelled when the pool confirms.
     */
    override cancel(): boolean {
      if (this.#settling) return super.cancel()
      if (this.cancelled()) return true
      if (!this.done()) this.#link.send({ type: 'cancel', ref: this.ref })
      return false
    }

    /** The pool's future ended. */
    settle(outcome: NestedOutcome, value: unknown): void {
      this.#onSettled(this)
      if (this.done()) return
      if (outcome === 'fulfilled') this.setResult(value)
      else if (outcome === 'rejected') this.setException(deserializeError(value as SerializedError))
      else {
        this.#settling = true
        super.cancel()
        this.#settling = false
        this.setRunningOrNotifyCancel()
      }
    }
  }

  class NestedExecutorImpl extends ExecutorClass implements NestedExecutor {
    readonly #link: WorkerLink
    /** Unsettled proxies by ref. */
    readonly proxies = new Map<number, ProxyFutureImpl>()
    /** Proxy future id → ref (for forwarded waits). */
    readonly refByFutureId = new Map<number, number>()
    #nextRef = 1
    #shutdown = false

    constructor(link: WorkerLink) {
      super({ kind: link.kind, maxWorkers: link.maxWorkers, name: link.label })
      this.#link = link
    }

    submitWith<C extends Callable>(
      options: SubmitOptions,
      fn: C,
      ...args: SubmitArgs<C>
    ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
      return this.#submit(options, fn, args, false) as Future<Awaited<ReturnType<FunctionOf<C>>>>
    }

    protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<ArrayLike<unknown>> {
      for (const tuple of argTuples) checkArguments(tuple)
      return this.#submit({}, fn, packTuples(argTuples), true) as Future<ArrayLike<unknown>>
    }

    /** The pool settled nested call `ref`. */
    settle(ref: number, outcome: NestedOutcome, value: unknown): void {
      this.proxies.get(ref)?.settle(outcome, value)
    }

    #submit(options: SubmitOptions, fn: Callable, args: unknown[], chunk: boolean): Future {
      if (this.#shutdown) throw new ShutdownError()
      const spec = describeCallable(fn)
      if (!chunk) checkArguments(args)
      const ref = this.#nextRef++
      const future = new ProxyFutureImpl(ref, options.name ?? spec.name, this.#link, (settled) => {
        this.proxies.delete(settled.ref)
        this.refByFutureId.delete(settled.id)
      })
      this.proxies.set(ref, future)
      this.refByFutureId.set(future.id, ref)
      const { signal } = options
      if (signal?.aborted === true) {
        future.settle('cancelled', undefined)
        return future
      }
      try {
        this.#link.send({ type: 'submit', ref, spec, args, name: future.name, chunk, callerTaskId: currentTask()?.id })
      } catch (error) {
        this.proxies.delete(ref)
        this.refByFutureId.delete(future.id)
        future.setException(
          new SerializationError(`an argument of the nested call "${spec.name}" cannot be sent to ${this.#link.peer}: ${messageOf(error)}`, {
            cause: error,
            code: this.#link.serializationCode,
          }),
        )
        return future
      }
      signal?.addEventListener('abort', () => future.cancel(), { once: true })
      return future
    }

    /**
     * Shuts the pool down through the main side. `wait: true` from inside a task would wait for
     * this very task: like Python, the pool is marked shut down first, then this rejects.
     */
    shutdown(options?: ShutdownOptions): Promise<void> {
      this.#shutdown = true
      this.#link.send({ type: 'shutdown', wait: options?.wait ?? true, cancelFutures: options?.cancelFutures ?? false, callerTaskId: currentTask()?.id })
      if (options?.wait === false) return Promise.resolve()
      return Promise.reject(
        new FutureError(
          `cannot join current thread: shutdown({ wait: true }) was called from inside a task of this ${this.#link.poolNoun}, ` +
            'and it would wait for that very task to finish (a deadlock). The pool is shut down; call ' +
            'shutdown({ wait: false }) from inside a task, or shutdown() from the code that created the pool.',
          'ERR_SHUTDOWN_FROM_TASK',
        ),
      )
    }
  }

  return NestedExecutorImpl
}

/** An error's message without its final period. */
export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '')
}
