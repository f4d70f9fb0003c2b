import type { ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { serialize } from 'node:v8'
import Tinypool from 'tinypool'
import {
  channels,
  checkArguments,
  currentTask,
  describeCallable,
  deserializeError,
  Executor,
  Future,
  newWaitId,
  serializeError,
} from '@x/future'
import type {
  Callable,
  CallableSpec,
  ExecutorShutdownEvent,
  FunctionOf,
  FutureStartEvent,
  FutureSubmitEvent,
  ShutdownOptions,
  SubmitOptions,
  WaitEndEvent,
  WaitStartEvent,
  WorkerExitEvent,
} from '@x/future'
import { BrokenProcessPoolError, ProcessExitError, SerializationError } from './errors.js'
import { packTuples, unpackColumn } from './pack.js'
import type { Column, PackedTuples } from './pack.js'
import type { ResultItem, RunItem, SessionReady, SessionStart, ToChild, ToParent } from './protocol.js'

/** Options of {@link ProcessPoolExecutor}. */
export interface ProcessPoolExecutorOptions {
  /**
   * How many child processes run tasks at once. @default `os.availableParallelism()`
   */
  maxWorkers?: number | undefined
  /**
   * Runs once in each child before its first task (a `task(url, name)` handle or a
   * self-contained function). If it throws, the pool is broken: queued futures fail with
   * {@link BrokenProcessPoolError} and later `submit()` throws it.
   */
  initializer?: Callable | undefined
  /** The initializer's arguments. @default [] */
  initargs?: readonly unknown[] | undefined
  /** Replace a child with a fresh process after it has run this many tasks. @default unlimited */
  maxTasksPerChild?: number | undefined
  /**
   * End a child that has had nothing to do for this many milliseconds (a new one starts when
   * work comes). @default children live until `shutdown()`
   */
  idleTimeout?: number | undefined
  /**
   * Node options for the children, e.g. `['--max-old-space-size=256']`. Like Node's `fork()`,
   * children get the parent's options by default, so loaders (`tsx`, `--import` hooks) reach
   * them; options that would stop a child from running its entry (`--eval`, `--print`, `--test`,
   * `--input-type`, `--watch`, `--inspect`, ...) are left out. @default the parent's `process.execArgv`, filtered
   */
  execArgv?: readonly string[] | undefined
  /**
   * Extra environment variables for the children, on top of the parent's `process.env` (which
   * they inherit). A value of `undefined` removes a variable.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * Milliseconds a running task gets to stop after its `submitWith({ signal })` signal aborts,
   * before the pool ends its child process and rejects its future with the abort reason (the
   * tasks sent ahead to that child go to another one). @default 1000
   */
  abortGracePeriod?: number | undefined
  /** A label for diagnostics. @default `ProcessPoolExecutor #<id>` */
  name?: string | undefined
}

interface Item {
  readonly future: Future
  readonly specId: number
  readonly spec: CallableSpec
  readonly args: unknown[]
  readonly chunk: 0 | 1
  readonly signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  child: Child | undefined
  /** future:start was published (when its child started running it). */
  announced: boolean
  /** Ends its child when the task has not stopped within the abort grace period. */
  graceTimer: NodeJS.Timeout | undefined
  /** Left the queue (cancelled there, or failed when the pool broke). */
  dropped: boolean
}

type ChildState = 'starting' | 'ready' | 'stopping' | 'gone'

interface Child {
  readonly workerId: number
  readonly pool: Tinypool
  state: ChildState
  send: (message: ToChild) => void
  process: ChildProcess | undefined
  pid: number | undefined
  readonly inflight: Map<number, Item>
  readonly sentSpecs: Set<number>
  assigned: number
  /** The smallest window among the tasks it holds: no more than this many may be in flight. */
  cap: number
  /** A task of this child submitted nested work: give it nothing more until that task ends. */
  blockedBy: number | undefined
  refed: boolean
  idleTimer: NodeJS.Timeout | undefined
  exitCode: number | null | undefined
  signal: NodeJS.Signals | null | undefined
  /** The uncaught exception that ended it, as the child reported it. */
  crash: unknown
  /** The pool ended it: this task ignored its aborted signal for the whole grace period. */
  killedFor: { item: Item; reason: unknown } | undefined
  /** Nested futures this child's tasks submitted: ref → coordinator future. */
  readonly nested: Map<number, Future>
  /** Waits its tasks published: child wait id → [coordinator wait id, end]. */
  readonly waits: Map<number, number>
  readonly gone: Promise<void>
  markGone: () => void
}

const CHILD_ENTRY = new URL('./child.js', import.meta.url).href
const MAX_TIMER = 2 ** 31 - 1
/** Keep about this much work (ms) sent ahead to each child. */
const WINDOW_TARGET_MS = 2
const MAX_WINDOW = 256

/**
 * Python's `ProcessPoolExecutor` for Node.js: runs calls in child processes. Functions travel as
 * a `task(url, name)` handle (the child imports the module) or as the source of a self-contained
 * function; arguments and results cross with Node's `advanced` serialization (structured clone),
 * so `BigInt`, `Map`, `Set`, `Date`, typed arrays and errors survive.
 *
 * - Children start on demand (at most `maxWorkers`), are reused, and inherit `process.env`.
 * - A child that dies fails only the futures it was running ({@link ProcessExitError}, naming the
 *   exit code or signal); the pool starts another and keeps serving.
 * - Inside a task, `currentTask().executor` submits to this same pool (through the parent).
 * - `submitWith({ signal })` aborts a running task's `currentTask().signal`; a task that has not
 *   stopped `abortGracePeriod` ms later loses its child, and its future rejects with the reason.
 * - An idle pool never keeps the process alive; `shutdown()` ends every child.
 *
 * @example
 * ```ts
 * import { task } from '@x/future'
 * import { ProcessPoolExecutor } from '@x/process-pool'
 *
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 4 })
 * const big = await pool.submit((a: bigint, b: bigint) => a ** b, 323n, 1235n)
 * const primes = task<typeof import('./primes.js').isPrime>(new URL('./primes.js', import.meta.url), 'isPrime')
 * for await (const p of pool.map(primes, candidates, { chunksize: 1000 })) console.log(p)
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  readonly #initializer: { spec: CallableSpec; args: unknown[] } | undefined
  readonly #maxTasksPerChild: number | undefined
  readonly #idleTimeout: number | undefined
  readonly #grace: number
  readonly #execArgv: string[]
  readonly #env: Record<string, string>

  #queue: (Item | undefined)[] = []
  #head = 0
  #queued = 0
  #inflight = 0
  readonly #children = new Set<Child>()
  #starting = 0
  #lent = 0
  #shutdown = false
  /** terminateWorkers()/killWorkers() ran: nothing is queued again. */
  #forced = false
  #broken: BrokenProcessPoolError | undefined
  #scheduled = false
  readonly #specStats = new Map<number, { mean: number; seen: number; risky?: true }>()
  readonly #specIds = new Map<string, number>()
  readonly #specOf = new WeakMap<object, CallableSpec>()
  readonly #specIdOf = new WeakMap<CallableSpec, number>()
  readonly #freeWorkerIds: number[] = []
  #nextWorkerId = 1
  #drainWaiters: (() => void)[] = []
  #stopWhenDrained = false

  constructor(options?: ProcessPoolExecutorOptions) {
    const o = checkOptions(options)
    const maxWorkers = o.maxWorkers === undefined ? availableParallelism() : checkMaxWorkers(o.maxWorkers)
    let initializer: { spec: CallableSpec; args: unknown[] } | undefined
    if (o.initializer !== undefined) {
      let spec: CallableSpec
      try {
        spec = describeCallable(o.initializer)
      } catch (error) {
        throw new TypeError(`initializer must be a callable: ${(error as Error).message}`, { cause: error })
      }
      const args = o.initargs === undefined ? [] : [...checkArray(o.initargs, 'initargs')]
      checkArguments(args)
      initializer = { spec, args }
    } else if (o.initargs !== undefined) {
      checkArray(o.initargs, 'initargs')
    }
    const maxTasksPerChild = o.maxTasksPerChild === undefined ? undefined : checkMaxTasks(o.maxTasksPerChild)
    if (o.idleTimeout !== undefined && (typeof o.idleTimeout !== 'number' || !(o.idleTimeout >= 0) || o.idleTimeout > MAX_TIMER)) {
      throw new RangeError(`idleTimeout must be a number of milliseconds >= 0, got ${describeValue(o.idleTimeout)}`)
    }
    const grace: unknown = o.abortGracePeriod
    if (grace !== undefined && (typeof grace !== 'number' || Number.isNaN(grace) || grace < 0)) {
      throw new RangeError(`abortGracePeriod must be a number of milliseconds >= 0 (or Infinity), got ${describeValue(grace)}`)
    }
    const execArgv = o.execArgv === undefined ? inheritedExecArgv() : [...checkArray(o.execArgv, 'execArgv')]
    for (const arg of execArgv) {
      if (typeof arg !== 'string') throw new TypeError(`execArgv must be an array of strings, got an item ${String(arg)}`)
    }
    // tinypool replaces the child's environment with `env`: start from the parent's (Python's children inherit it).
    const merged = new Map<string, string>()
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) merged.set(key, value)
    const envOption: unknown = o.env
    if (envOption !== undefined) {
      if (typeof envOption !== 'object' || envOption === null) throw new TypeError(`env must be an object of strings, got ${typeof envOption}`)
      for (const [key, value] of Object.entries(envOption as Record<string, unknown>)) {
        if (value === undefined) merged.delete(key)
        else if (typeof value !== 'string') throw new TypeError(`env.${key} must be a string, got ${typeof value}`)
        else merged.set(key, value)
      }
    }
    const env = Object.fromEntries(merged)
    if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(`name must be a string, got ${typeof o.name}`)
    super({ kind: 'process', maxWorkers, name: o.name })
    this.#initializer = initializer
    this.#maxTasksPerChild = maxTasksPerChild
    this.#idleTimeout = o.idleTimeout
    this.#grace = grace ?? 1000
    this.#execArgv = execArgv as string[]
    this.#env = env
  }

  /** The process ids of the children alive now (for tests and monitoring). */
  get pids(): number[] {
    const pids: number[] = []
    for (const child of this.#children) if (child.pid !== undefined && child.state !== 'gone') pids.push(child.pid)
    return pids
  }

  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: Parameters<FunctionOf<C>>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError('submitWith(): options must be an object')
    for (const key of Object.keys(options)) {
      if (key !== 'name' && key !== 'signal' && key !== 'transfer') {
        throw new TypeError(`submitWith(): unknown option "${key}"; the options are "name", "signal", "transfer"`)
      }
    }
    const { name, signal } = options
    if (name !== undefined && typeof name !== 'string') throw new TypeError('submitWith(): name must be a string')
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError('submitWith(): signal must be an AbortSignal')
    }
    this.#checkOpen()
    const spec = this.#describe(fn)
    checkArguments(args)
    return this.#enqueue(spec, args, 0, name ?? spec.name, signal, currentTask()?.id) as Future<
      Awaited<ReturnType<FunctionOf<C>>>
    >
  }

  /** One message per `map()` chunk: the child runs the calls in order and sends back their results together. */
  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    this.#checkOpen()
    const spec = this.#describe(fn)
    // checkArguments() looks only inside objects and functions: skip the all-primitive tuples fast
    for (const tuple of argTuples) {
      for (const value of tuple) {
        if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
          checkArguments(tuple)
          break
        }
      }
    }
    return this.#enqueue(spec, packTuples(argTuples), 1, spec.name, undefined, currentTask()?.id) as Future<unknown[]>
  }

  /**
   * Stops taking new work. With `wait` (default) it resolves once every task is done and every
   * child process has exited; `cancelFutures` cancels the queued (PENDING) futures first. With
   * `wait: false` it returns at once and the children exit by themselves when the work is done.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const raw: unknown = options
    if (raw !== undefined && (typeof raw !== 'object' || raw === null)) {
      return Promise.reject(new TypeError('shutdown(): options must be an object like { wait: true }'))
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'wait' && key !== 'cancelFutures') {
        return Promise.reject(new TypeError(`shutdown(): unknown option "${key}"; the options are "wait", "cancelFutures"`))
      }
    }
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    this.#shutDown(cancelFutures)
    if (!wait) return Promise.resolve()
    return this.#whenDrained().then(() => this.#stopAll())
  }

  /** Marks the pool shut down, cancels the queue if asked, and lets idle children go. */
  #shutDown(cancelFutures: boolean): void {
    this.#shutdown = true
    this.#stopWhenDrained = true
    if (cancelFutures) {
      for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]?.future.cancel()
    }
    this.#maybeStopChildren()
  }

  /**
   * Python 3.14's `terminate_workers()`: shuts the pool down (cancelling queued futures) and
   * sends `SIGTERM` to every child at once. Running futures fail with {@link ProcessExitError}
   * naming the signal. Resolves when every child has exited; later `submit()` throws.
   */
  terminateWorkers(): Promise<void> {
    return this.#force('SIGTERM')
  }

  /** Like {@link ProcessPoolExecutor.terminateWorkers}, with `SIGKILL` (Python 3.14's `kill_workers()`). */
  killWorkers(): Promise<void> {
    return this.#force('SIGKILL')
  }

  /** One extra child beyond `maxWorkers` (deadlock compensation), at most `maxWorkers` extra. */
  protected override lendWorker(): (() => void) | undefined {
    if (this.#lent >= this.maxWorkers || this.#shutdown) return undefined
    this.#lent++
    this.#schedule()
    let given = false
    return () => {
      if (given) return
      given = true
      this.#lent--
      this.#trimIdle()
    }
  }

  // ---------------------------------------------------------------- submission and queue

  #checkOpen(): void {
    if (this.#broken !== undefined) throw this.#broken
    if (this.#shutdown) throw new Error('cannot schedule new futures after shutdown')
  }

  #describe(fn: Callable): CallableSpec {
    if (typeof fn === 'function') {
      const hit = this.#specOf.get(fn)
      if (hit !== undefined) return hit
      const spec = describeCallable(fn)
      this.#specOf.set(fn, spec)
      return spec
    }
    return describeCallable(fn)
  }

  #specId(spec: CallableSpec): number {
    const known = this.#specIdOf.get(spec)
    if (known !== undefined) return known
    const key = spec.kind === 'task' ? `t\u0000${spec.module}\u0000${spec.exportName}` : `s\u0000${spec.source}`
    let id = this.#specIds.get(key)
    if (id === undefined) {
      id = this.#specIds.size + 1
      this.#specIds.set(key, id)
    }
    this.#specIdOf.set(spec, id)
    return id
  }

  #enqueue(
    spec: CallableSpec,
    args: unknown[],
    chunk: 0 | 1,
    name: string | undefined,
    signal: AbortSignal | undefined,
    callerTaskId: number | undefined,
  ): Future {
    const future = new Future({ name })
    const item: Item = {
      future,
      specId: this.#specId(spec),
      spec,
      args,
      chunk,
      signal,
      onAbort: undefined,
      child: undefined,
      announced: false,
      graceTimer: undefined,
      dropped: false,
    }
    this.#queue.push(item)
    this.#queued++
    future.addDoneCallback(() => {
      // Cancelled while queued: it leaves the queue now, and wait()/asCompleted() see it at once.
      if (item.child === undefined && !item.dropped) {
        item.dropped = true
        this.#queued--
        this.#detach(item)
        future.setRunningOrNotifyCancel()
        this.#checkDrained()
      }
    })
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({
        futureId: future.id,
        executorId: this.id,
        name,
        callerTaskId,
      } satisfies FutureSubmitEvent)
    }
    if (signal !== undefined) {
      if (signal.aborted) future.cancel()
      else {
        item.onAbort = () => { this.#onAbort(item); }
        signal.addEventListener('abort', item.onAbort, { once: true })
      }
    }
    this.#schedule()
    return future
  }

  #onAbort(item: Item): void {
    const child = item.child
    if (child === undefined) {
      item.future.cancel()
      return
    }
    if (child.state === 'gone') return
    this.#sendAbort(child, item)
    // A task sent ahead gets its grace period once it runs (#announce).
    if (item.announced) this.#armGrace(item, child)
  }

  #sendAbort(child: Child, item: Item): void {
    try {
      child.send(['abort', item.future.id, serializeError(item.signal?.reason)])
    } catch {
      // the reason could not be sent: abort with a plain one
      child.send(['abort', item.future.id, serializeError(new Error('aborted'))])
    }
  }

  /** Ends the child if the aborted task is still running `abortGracePeriod` ms from now. */
  #armGrace(item: Item, child: Child): void {
    if (item.graceTimer !== undefined || this.#grace === Infinity) return
    item.graceTimer = setTimeout(() => {
      item.graceTimer = undefined
      if (child.state === 'gone' || child.killedFor !== undefined || !child.inflight.has(item.future.id)) return
      // Its future fails with the reason, and the tasks sent ahead behind it are queued again,
      // once the child has exited (#onGone): its last results arrive first.
      child.killedFor = { item, reason: item.signal?.reason }
      child.process?.kill('SIGKILL')
    }, Math.min(this.#grace, MAX_TIMER))
    // The child is referenced while it has work: this timer need not keep the process alive.
    item.graceTimer.unref()
  }

  #detach(item: Item): void {
    if (item.onAbort !== undefined) {
      item.signal?.removeEventListener('abort', item.onAbort)
      item.onAbort = undefined
    }
    if (item.graceTimer !== undefined) {
      clearTimeout(item.graceTimer)
      item.graceTimer = undefined
    }
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      this.#pump()
    })
  }

  /**
   * Sends queued work to children with room, least-loaded child first, and starts children while
   * work is left over. A child gets more than one task ahead of time only for callables measured
   * to be short (see #windowFor), so a long task never holds back work another child could run.
   */
  #pump(): void {
    if (this.#broken !== undefined) return
    const ready: Child[] = []
    for (const child of this.#children) if (child.state === 'ready' && child.blockedBy === undefined) ready.push(child)
    let sends: Map<Child, { batch: RunItem[]; items: Item[]; specs: Set<number> }> | undefined
    while (this.#queued > 0 && ready.length > 0) {
      const item = this.#queue[this.#head]
      if (item === undefined || item.dropped) {
        this.#queue[this.#head++] = undefined
        continue
      }
      const window = this.#windowFor(item.specId)
      let target: Child | undefined
      for (const child of ready) {
        // Nothing goes ahead of a task that may be long (cap), nor more than this callable allows.
        if (child.inflight.size >= Math.min(window, child.cap)) continue
        if (this.#maxTasksPerChild !== undefined && child.assigned >= this.#maxTasksPerChild) continue
        if (target === undefined || child.inflight.size < target.inflight.size) target = child
      }
      if (target === undefined) break
      this.#queue[this.#head++] = undefined
      this.#queued--
      // A task taken back from a child that was ended (#onGone) is RUNNING already.
      if (!item.future.running() && !item.future.setRunningOrNotifyCancel()) {
        item.dropped = true
        this.#detach(item)
        continue
      }
      item.child = target
      item.announced = false
      if (window < target.cap) target.cap = window
      // A child runs its tasks one at a time, in the order sent: the first one starts now, the
      // ones sent ahead are announced (future:start) when they reach the head (#announceHead).
      const startsNow = target.inflight.size === 0
      target.inflight.set(item.future.id, item)
      target.assigned++
      this.#inflight++
      if (startsNow) this.#announce(item, target)
      sends ??= new Map()
      let send = sends.get(target)
      if (send === undefined) {
        send = { batch: [], items: [], specs: new Set() }
        sends.set(target, send)
      }
      const firstTime = !target.sentSpecs.has(item.specId) && !send.specs.has(item.specId)
      if (firstTime) send.specs.add(item.specId)
      send.batch.push([item.future.id, item.specId, firstTime ? item.spec : 0, item.args, item.future.name, item.chunk])
      send.items.push(item)
    }
    if (sends !== undefined) {
      const diag = channels.waitStart.hasSubscribers
      for (const [child, { batch, items }] of sends) {
        if (child.idleTimer !== undefined) {
          clearTimeout(child.idleTimer)
          child.idleTimer = undefined
        }
        if (!child.refed) {
          child.refed = true
          child.process?.ref()
        }
        this.#sendRun(child, batch, items, diag)
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    // Start children for what is left: one per queued task, up to the limit.
    const limit = this.maxWorkers + this.#lent
    while (this.#queued > this.#starting && this.#children.size < limit && !this.#shutdownDone()) this.#spawn()
  }

  /** How many tasks of this callable a child may hold at once: 1 unless it is known to be short. */
  #windowFor(specId: number): number {
    const stats = this.#specStats.get(specId)
    if (stats === undefined || stats.risky === true) return 1
    // Grow with the evidence (one more per result seen), so one quick call is not taken as a promise.
    return Math.max(1, Math.min(MAX_WINDOW, stats.seen, Math.floor(WINDOW_TARGET_MS / Math.max(stats.mean, 0.001))))
  }

  #shutdownDone(): boolean {
    return this.#broken !== undefined
  }

  #sendRun(child: Child, batch: RunItem[], items: Item[], diag: boolean): void {
    try {
      child.send(['run', batch, diag])
      for (const entry of batch) child.sentSpecs.add(entry[1])
      // A task queued again after its child was ended may have been aborted there already.
      for (const item of items) if (item.signal?.aborted === true) this.#sendAbort(child, item)
      return
    } catch {
      // Something in the batch cannot be serialized: send the items one by one to find it.
    }
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i]
      const item = items[i]
      if (entry === undefined || item === undefined) continue
      entry[2] = child.sentSpecs.has(entry[1]) ? 0 : item.spec
      try {
        child.send(['run', [entry], diag])
        child.sentSpecs.add(entry[1])
        if (item.signal?.aborted === true) this.#sendAbort(child, item)
      } catch (error) {
        child.inflight.delete(item.future.id)
        child.assigned-- // it never reached the child: it does not count toward maxTasksPerChild
        this.#inflight--
        this.#detach(item)
        item.future.setException(this.#argumentError(item, error))
      }
    }
    this.#announceHead(child)
    this.#afterResults(child)
  }

  #argumentError(item: Item, error: unknown): SerializationError {
    const what = `"${item.future.name ?? item.spec.name}"`
    let where = 'an argument'
    const args: (readonly [unknown, string])[] = []
    if (item.chunk === 1) {
      const [count, ...columns] = item.args as PackedTuples
      for (let row = 0; row < count; row++) {
        columns.forEach((column, j) => args.push([(column as ArrayLike<unknown>)[row], `argument ${String(j + 1)} of item ${String(row + 1)}`]))
      }
    } else {
      item.args.forEach((value, i) => args.push([value, `argument ${String(i + 1)}`]))
    }
    for (const [value, label] of args) {
      try {
        serialize(value)
      } catch {
        where = label
        break
      }
    }
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '')
    return new SerializationError(
      `${where} of ${what} cannot be sent to a child process: ${message}. Pass data that Node's advanced ` +
        `serialization can copy (primitives, BigInt, plain objects, arrays, Map, Set, Date, RegExp, typed arrays, errors).`,
      { cause: error },
    )
  }

  // ---------------------------------------------------------------- children

  #spawn(): void {
    const workerId = this.#freeWorkerIds.pop() ?? this.#nextWorkerId++
    const pool = new Tinypool({
      runtime: 'child_process',
      filename: CHILD_ENTRY,
      name: 'session',
      minThreads: 0,
      maxThreads: 1,
      // tinypool must never end an idle child on its own: it cannot see our tasks.
      idleTimeout: MAX_TIMER,
      // tinypool defaults to JSON (a BigInt crashes the parent) and replaces env (no PATH).
      serialization: 'advanced',
      env: this.#env,
      execArgv: this.#execArgv,
    })
    // tinypool turns every child exit into a bare 'Worker exited unexpectedly' error event (and
    // an unhandled one would crash us); the real exit code and signal come from the ChildProcess.
    pool.on('error', () => undefined)
    let markGone!: () => void
    const gone = new Promise<void>((resolve) => {
      markGone = resolve
    })
    const child: Child = {
      workerId,
      pool,
      state: 'starting',
      send: () => {
        throw new Error('@x/process-pool: child not connected')
      },
      process: undefined,
      pid: undefined,
      inflight: new Map(),
      sentSpecs: new Set(),
      assigned: 0,
      cap: Infinity,
      blockedBy: undefined,
      refed: false,
      idleTimer: undefined,
      exitCode: undefined,
      signal: undefined,
      crash: undefined,
      killedFor: undefined,
      nested: new Map(),
      waits: new Map(),
      gone,
      markGone,
    }
    this.#children.add(child)
    this.#starting++
    const start: SessionStart = {
      label: this.label,
      maxWorkers: this.maxWorkers,
      workerId,
      diag: channels.waitStart.hasSubscribers,
      initializer: this.#initializer,
    }
    const ready = pool.run(start, {
      channel: {
        onMessage: (callback: (message: unknown) => void) => {
          child.send = callback
        },
        postMessage: (message: unknown) => {
          this.#onMessage(child, message as ToParent)
        },
      },
    }) as Promise<SessionReady>
    const worker = pool.threads[0] as unknown as { process?: ChildProcess } | undefined
    const proc = worker?.process
    child.process = proc
    child.pid = proc?.pid
    if (proc === undefined) {
      // Not expected with tinypool 2.2.0 (it forks synchronously in run()); never leave work hanging.
      this.#children.delete(child)
      this.#starting--
      void ready.catch(() => undefined)
      void pool.destroy().catch(() => undefined)
      this.#break(new BrokenProcessPoolError('tinypool did not start a child process; the process pool is not usable'))
      return
    }
    proc.once('exit', (code, signal) => {
      child.exitCode = code
      child.signal = signal
      // Let the messages the child sent before dying arrive first ('close' comes after the pipes drain).
      const timer = setTimeout(() => {
        this.#onGone(child)
      }, 1000)
      proc.once('close', () => {
        clearTimeout(timer)
        this.#onGone(child)
      })
    })
    ready.then(
      (result) => {
        this.#onReady(child, result)
      },
      () => {
        this.#onStartFailed(child)
      },
    )
  }

  #onReady(child: Child, ready: SessionReady): void {
    if (child.state !== 'starting') return
    this.#starting--
    if (ready.initError !== undefined) {
      child.state = 'ready'
      this.#break(
        new BrokenProcessPoolError('A process initializer failed, the process pool is not usable anymore', {
          cause: deserializeError(ready.initError),
        }),
      )
      return
    }
    child.state = 'ready'
    child.pid = ready.pid
    // An idle child never keeps the parent alive; #pump refs it while it has work.
    child.process?.unref()
    if (this.#stopWhenDrained) this.#maybeStopChildren()
    this.#pump()
    this.#armIdle(child)
  }

  #onStartFailed(child: Child): void {
    // The session task failed: the child died while starting (#onGone breaks the pool once its
    // exit details are in), or tinypool gave up on it.
    if (child.state !== 'starting') return
    const proc = child.process
    if (proc?.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  }

  #onGone(child: Child): void {
    if (child.state === 'gone') return
    const neverReady = child.state === 'starting'
    if (neverReady) this.#starting--
    child.state = 'gone'
    this.#children.delete(child)
    this.#freeWorkerIds.push(child.workerId)
    if (child.idleTimer !== undefined) clearTimeout(child.idleTimer)
    let items = [...child.inflight.values()]
    child.inflight.clear()
    this.#inflight -= items.length
    const killed = child.killedFor
    let again: Item[] = []
    if (killed !== undefined && this.#broken === undefined && !this.#forced) {
      // The pool ended it over a task that ignored its aborted signal. A child runs its tasks one
      // at a time and sends an aborted task's result at once: if that task is still unsettled,
      // the ones sent ahead behind it never started. They go first in the queue, to another child.
      const at = items.indexOf(killed.item)
      if (at !== -1) {
        again = items.slice(at + 1)
        items = items.slice(0, at + 1)
      }
    }
    if (channels.workerExit.hasSubscribers) {
      channels.workerExit.publish({
        executorId: this.id,
        workerId: child.workerId,
        exitCode: child.exitCode ?? undefined,
        signal: child.signal ?? undefined,
        futureIds: items.map((item) => item.future.id),
      } satisfies WorkerExitEvent)
    }
    for (const waitId of child.waits.values()) {
      if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId, reason: 'rejected' } satisfies WaitEndEvent)
    }
    child.waits.clear()
    for (const item of again) {
      item.child = undefined
      item.announced = false
    }
    if (again.length > 0) {
      this.#queue.splice(this.#head, 0, ...again)
      this.#queued += again.length
    }
    for (const item of items) {
      if (item === killed?.item) {
        this.#detach(item)
        if (!item.future.done()) item.future.setException(killed.reason)
        continue
      }
      // It may be what killed the child: never send it ahead again, so the next death of a child
      // running it takes one future with it, not every task sent ahead behind it.
      const stats = this.#specStats.get(item.specId)
      if (stats === undefined) this.#specStats.set(item.specId, { mean: 0, seen: 0, risky: true })
      else stats.risky = true
      this.#detach(item)
      if (item.future.done()) continue
      const error: Error =
        this.#broken ??
        new ProcessExitError(
          `A process in the process pool was terminated abruptly while the future was running: ` +
            `the child process ${child.pid === undefined ? '' : `(pid ${String(child.pid)}) `}running ` +
            `"${item.future.name ?? item.spec.name}" ${describeExit(child)}` +
            (child.crash === undefined ? '' : ` after an uncaught exception: ${describeError(child.crash)}`),
          { exitCode: child.exitCode ?? undefined, signal: child.signal ?? undefined, pid: child.pid },
          child.crash === undefined ? undefined : { cause: child.crash },
        )
      item.future.setException(error)
    }
    void child.pool.destroy().catch(() => undefined)
    child.markGone()
    if (neverReady && this.#broken === undefined) {
      // A child that cannot even start would fail the same way again and again (tinypool itself
      // leaves the session task pending forever when a child dies before it is ready).
      this.#break(
        new BrokenProcessPoolError(`A child process ${describeExit(child)} while starting, the process pool is not usable anymore`),
      )
    }
    this.#checkDrained()
    this.#schedule()
  }

  #armIdle(child: Child): void {
    if (this.#idleTimeout === undefined || child.state !== 'ready' || child.inflight.size > 0) return
    if (child.idleTimer !== undefined) clearTimeout(child.idleTimer)
    child.idleTimer = setTimeout(() => {
      child.idleTimer = undefined
      if (child.state === 'ready' && child.inflight.size === 0) void this.#stop(child)
    }, this.#idleTimeout)
    child.idleTimer.unref()
  }

  /** Ends a child gracefully (it has nothing to run); resolves when it has exited. */
  #stop(child: Child): Promise<void> {
    if (child.state === 'gone') return child.gone
    if (child.state !== 'stopping') {
      if (child.state === 'starting') this.#starting--
      child.state = 'stopping'
      void child.pool.destroy().catch(() => undefined)
    }
    return child.gone
  }

  #stopAll(): Promise<void> {
    return Promise.all([...this.#children].map((child) => this.#stop(child))).then(() => undefined)
  }

  #maybeStopChildren(): void {
    if (!this.#stopWhenDrained || this.#queued > 0 || this.#inflight > 0) return
    void this.#stopAll()
  }

  #trimIdle(): void {
    const limit = this.maxWorkers + this.#lent
    for (const child of this.#children) {
      if (this.#children.size - this.#countStopping() <= limit) break
      if (child.state === 'ready' && child.inflight.size === 0) void this.#stop(child)
    }
  }

  #countStopping(): number {
    let n = 0
    for (const child of this.#children) if (child.state === 'stopping') n++
    return n
  }

  #force(signal: NodeJS.Signals): Promise<void> {
    this.#forced = true
    if (!this.#shutdown) void this.shutdown({ wait: false, cancelFutures: true })
    else for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]?.future.cancel()
    const children = [...this.#children]
    for (const child of children) {
      if (child.state === 'gone') continue
      if (child.state === 'starting') {
        this.#starting--
        child.state = 'stopping'
      }
      child.process?.kill(signal)
    }
    return Promise.all(children.map((child) => child.gone)).then(() => undefined)
  }

  #break(error: BrokenProcessPoolError): void {
    if (this.#broken !== undefined) return
    this.#broken = error
    this.#shutdown = true
    this.#stopWhenDrained = true
    for (let i = this.#head; i < this.#queue.length; i++) {
      const item = this.#queue[i]
      if (item === undefined || item.dropped) continue
      item.dropped = true
      this.#detach(item)
      // (one queued again after its child was ended is RUNNING already)
      if (item.future.running() || item.future.setRunningOrNotifyCancel()) item.future.setException(error)
    }
    this.#queue = []
    this.#head = 0
    this.#queued = 0
    for (const child of [...this.#children]) {
      for (const item of child.inflight.values()) {
        this.#detach(item)
        if (!item.future.done()) item.future.setException(error)
      }
      this.#inflight -= child.inflight.size
      child.inflight.clear()
      void this.#stop(child)
    }
    this.#checkDrained()
  }

  // ---------------------------------------------------------------- messages from children

  #onMessage(child: Child, message: ToParent): void {
    if (!Array.isArray(message) || child.state === 'gone') return
    switch (message[0]) {
      case 'res':
        this.#onResults(child, message[1], message[2])
        break
      case 'sub':
        this.#onNestedSubmit(child, message[1], message[2], message[3], message[4], message[5], message[6])
        break
      case 'crash':
        child.crash = deserializeError(message[1])
        break
      case 'cancel':
        child.nested.get(message[1])?.cancel()
        break
      case 'shutdown': {
        // shutdown() from a task in a child: published as the task asked (wait: true from inside
        // a task is what the deadlock detector reports as shutdown-from-task); the pool does the
        // wait: false part, and the child rejects the wait: true call itself, as Python does.
        const [, cancelFutures, wait, callerTaskId] = message
        if (channels.executorShutdown.hasSubscribers) {
          channels.executorShutdown.publish({ executorId: this.id, wait, cancelFutures, callerTaskId } satisfies ExecutorShutdownEvent)
        }
        this.#shutDown(cancelFutures)
        break
      }
      case 'wait':
        this.#onWait(child, message)
        break
      case 'waitend': {
        const waitId = child.waits.get(message[1])
        if (waitId === undefined) break
        child.waits.delete(message[1])
        if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId, reason: message[2] } satisfies WaitEndEvent)
        break
      }
    }
  }

  #onResults(child: Child, results: ResultItem[], meanMs: number): void {
    let lastSpec = 0
    for (const result of results) {
      const id = result[0]
      const item = child.inflight.get(id)
      if (item === undefined) continue
      if (!item.announced) this.#announce(item, child)
      child.inflight.delete(id)
      this.#inflight--
      if (child.blockedBy === id) child.blockedBy = undefined
      this.#detach(item)
      if (item.specId !== lastSpec) {
        // Learn how long this callable takes, to decide how much of it to send ahead (#windowFor).
        lastSpec = item.specId
        const stats = this.#specStats.get(lastSpec)
        if (stats === undefined) this.#specStats.set(lastSpec, { mean: meanMs, seen: 1 })
        else {
          stats.mean = stats.mean * 0.7 + meanMs * 0.3
          stats.seen++
        }
      } else {
        const stats = this.#specStats.get(lastSpec)
        if (stats !== undefined) stats.seen++
      }
      if (item.future.done()) continue
      if (result[1] === 1) item.future.setResult(item.chunk === 1 ? unpackColumn(result[2] as Column) : result[2])
      else item.future.setException(deserializeError(result[2]))
    }
    this.#announceHead(child)
    this.#afterResults(child)
  }

  /** Publishes future:start for a task its child is running now. */
  #announce(item: Item, child: Child): void {
    item.announced = true
    if (item.signal?.aborted === true && item.onAbort !== undefined) this.#armGrace(item, child)
    if (channels.futureStart.hasSubscribers) {
      channels.futureStart.publish({
        futureId: item.future.id,
        executorId: this.id,
        workerId: child.workerId,
      } satisfies FutureStartEvent)
    }
  }

  /** The oldest task a child holds is the one it runs: announce it once the ones before it are done. */
  #announceHead(child: Child): void {
    for (const item of child.inflight.values()) {
      if (!item.announced) this.#announce(item, child)
      return
    }
  }

  #afterResults(child: Child): void {
    if (child.inflight.size === 0) {
      child.cap = Infinity
      if (child.refed) {
        child.refed = false
        child.process?.unref()
      }
      const limit = this.maxWorkers + this.#lent
      if (
        (this.#maxTasksPerChild !== undefined && child.assigned >= this.#maxTasksPerChild) ||
        this.#children.size - this.#countStopping() > limit
      ) {
        void this.#stop(child)
      } else {
        this.#armIdle(child)
      }
    }
    this.#checkDrained()
    this.#maybeStopChildren()
    this.#schedule()
  }

  #onNestedSubmit(
    child: Child,
    ref: number,
    spec: CallableSpec,
    args: unknown[],
    name: string | undefined,
    chunk: 0 | 1,
    callerTaskId: number | undefined,
  ): void {
    if (callerTaskId !== undefined && child.inflight.has(callerTaskId)) child.blockedBy = callerTaskId
    let future: Future
    try {
      this.#checkOpen()
      future = this.#enqueue(spec, args, chunk, name, undefined, callerTaskId)
    } catch (error) {
      this.#reply(child, ['done', ref, 1, serializeError(error)])
      return
    }
    child.nested.set(ref, future)
    future.addDoneCallback((done) => {
      child.nested.delete(ref)
      if (done.cancelled()) {
        this.#reply(child, ['done', ref, 2, undefined])
        return
      }
      done.result().then(
        (value) => {
          this.#reply(child, ['done', ref, 0, value])
        },
        (error: unknown) => {
          this.#reply(child, ['done', ref, 1, serializeError(error)])
        },
      )
    })
  }

  #reply(child: Child, message: ToChild): void {
    if (child.state === 'gone') return
    try {
      child.send(message)
    } catch (error) {
      if (message[0] === 'done') child.send(['done', message[1], 1, serializeError(error)])
    }
  }

  #onWait(child: Child, message: Extract<ToParent, readonly ['wait', ...unknown[]]>): void {
    if (!channels.waitStart.hasSubscribers) return
    const [, childWaitId, taskId, refs, mode, timeout, stack] = message
    const futureIds: number[] = []
    for (const ref of refs) {
      const future = child.nested.get(ref)
      if (future !== undefined && !future.done()) futureIds.push(future.id)
    }
    if (futureIds.length === 0) return
    const waitId = newWaitId()
    child.waits.set(childWaitId, waitId)
    channels.waitStart.publish({
      waitId,
      taskId,
      futureIds,
      mode,
      timeout,
      stack,
      reject: (error: Error) => {
        if (child.state === 'gone') return
        child.send(['wrej', childWaitId, serializeError(error)])
      },
    } satisfies WaitStartEvent)
  }

  // ---------------------------------------------------------------- draining

  #whenDrained(): Promise<void> {
    if (this.#queued === 0 && this.#inflight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#drainWaiters.push(resolve))
  }

  #checkDrained(): void {
    if (this.#queued !== 0 || this.#inflight !== 0) return
    const waiters = this.#drainWaiters
    this.#drainWaiters = []
    for (const resolve of waiters) resolve()
    // after shutdown({ wait: false }), the children go once the work is done
    this.#maybeStopChildren()
  }
}

/** A bad option value, for an error message: `"50"`, `null`, `an object`. */
function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'undefined':
      return String(value)
    case 'function':
      return 'a function'
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function describeExit(child: { exitCode: number | null | undefined; signal: NodeJS.Signals | null | undefined }): string {
  if (child.signal !== null && child.signal !== undefined) {
    const hint =
      child.signal === 'SIGABRT'
        ? ' (process.abort(), or a fatal V8 error such as running out of memory; see its stderr)'
        : child.signal === 'SIGKILL'
          ? ' (killed: by someone, or by the system when it ran out of memory)'
          : ''
    return `was killed by signal ${child.signal}${hint}`
  }
  if (child.exitCode !== null && child.exitCode !== undefined) {
    const hint = child.exitCode === 134 ? ' (an abort: process.abort() or a fatal V8 error such as running out of memory)' : ''
    return `exited with code ${String(child.exitCode)}${hint}`
  }
  return 'exited'
}

function checkOptions(options: unknown): ProcessPoolExecutorOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`ProcessPoolExecutor options must be an object like { maxWorkers: 4 }, got ${Array.isArray(options) ? 'an array' : typeof options}`)
  }
  const known = ['maxWorkers', 'initializer', 'initargs', 'maxTasksPerChild', 'idleTimeout', 'execArgv', 'env', 'abortGracePeriod', 'name']
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`ProcessPoolExecutor: unknown option "${key}"; the options are ${known.map((k) => `"${k}"`).join(', ')}`)
    }
  }
  return options
}

function checkMaxWorkers(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    if (typeof value !== 'number') throw new TypeError(`maxWorkers must be an integer greater than 0, got ${describeValue(value)}`)
    throw new RangeError(`maxWorkers must be greater than 0 (got ${String(value)}); max_workers must be greater than 0`)
  }
  return value
}

function checkMaxTasks(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`maxTasksPerChild must be an integer (max_tasks_per_child must be >= 1), got ${describeValue(value)}`)
  }
  if (value < 1) throw new RangeError(`max_tasks_per_child must be >= 1 (maxTasksPerChild got ${String(value)})`)
  return value
}

// Options that make a child run something else than its entry, pause it, or restart it.
const NOT_INHERITED = /^(?:-e|--eval|-p|--print|-i|--interactive|-c|--check|--input-type|--test(?:-.*)?|--watch(?:-.*)?|--inspect(?:-.*)?|--debug(?:-.*)?)(?:=|$)/u
const NOT_INHERITED_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type', '--watch-path', '--test-name-pattern', '--test-reporter', '--test-reporter-destination', '--test-shard', '--test-skip-pattern', '--inspect-port', '--debug-port'])

/** The parent's Node options for a child, as `fork()` passes them, less those in NOT_INHERITED. */
function inheritedExecArgv(): string[] {
  const out: string[] = []
  const args = process.execArgv
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    if (!NOT_INHERITED.test(arg)) out.push(arg)
    else if (NOT_INHERITED_WITH_VALUE.has(arg)) i++
  }
  return out
}

function checkArray(value: unknown, option: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${option} must be an array, got ${typeof value}`)
  return value as unknown[]
}

