import type { AsyncLocalStorage } from 'node:async_hooks'
import { isThenable } from './is-thenable.js'

// (not a static import: a fresh worker thread's ES module loader would make a module of the builtin
// for it, ~0.4M instructions, where the builtin itself is loaded already)
const asyncHooks = process.getBuiltinModule('node:async_hooks')

/**
 * The per-thread storage of the running task's context, and nothing else: a leaf file, so the
 * modules that only need the running task's id (futures publishing waits, executors publishing
 * events) do not import the module that defines the full context and its `Executor` type.
 *
 * The storage's async hooks cost something on every promise of the thread, other libraries'
 * included, once they are on. A thread that makes many promises between its tasks (a queue
 * worker: its client library's) can ask for them to be on only while a context may still be read
 * ({@link hooksOffBetweenTasks}): while a task runs, and for good once some task has started
 * anything asynchronous (a promise, a timer, a tick, I/O) or returned a thenable. A task that ran
 * synchronously and started nothing leaves nothing that could read its context later.
 *
 * @module
 * @internal
 */

/** What this file knows about a task context: its id. `context.ts` stores full `TaskContext`s. */
export interface StoredTask {
  readonly id: number
}

/** When the storage's hooks may go off, shared by every copy of this file in the thread. */
interface HookMode {
  /** {@link hooksOffBetweenTasks} was called in this thread. */
  offBetweenTasks: boolean
  /** Some task started something asynchronous, or the storage was entered elsewhere: the hooks stay on. */
  sticky: boolean
  /** Task contexts entered by this file and not left (nested runs). */
  depth: number
  /** Set while this file enters a context: a `run()` of the storage made without it makes the mode sticky. */
  ours: boolean
  /** Set while tasks start together ({@link runTasksTogether}): the hooks go off once, after the last. */
  together?: boolean | undefined
  /** A task run together with others left the hooks to go off (at the end of {@link runTasksTogether}). */
  offAfter?: boolean | undefined
}

// One storage per thread, shared by every copy of this package loaded in it (an app and a pool
// may resolve @x/future to different files), so currentTask() always sees the running task.
const storageKey: unique symbol = Symbol.for('@x/future.taskStorage') as never
const usedKey: unique symbol = Symbol.for('@x/future.taskStorageUsed') as never
const modeKey: unique symbol = Symbol.for('@x/future.taskStorageHookMode') as never
const shared = globalThis as {
  [storageKey]?: AsyncLocalStorage<StoredTask> | undefined
  [usedKey]?: { used: boolean } | undefined
  [modeKey]?: HookMode | undefined
}
// A storage made by an older copy of this package, which enters it without telling: its hooks stay on.
const foreign = shared[storageKey] !== undefined && shared[modeKey] === undefined
const storage: AsyncLocalStorage<StoredTask> = (shared[storageKey] ??= new asyncHooks.AsyncLocalStorage<StoredTask>())
// Whether any task ran in this thread yet: until then there is no context to look up (the main
// thread of a thread or process pool never runs a task itself, and asks on every submit and wait).
const state: { used: boolean } = (shared[usedKey] ??= { used: false })
/** The storage's own `run`, unwatched, when this copy watches it (see {@link watch}); else undefined. */
let unwatchedRun: AsyncLocalStorage<StoredTask>['run'] | undefined
const mode: HookMode = (shared[modeKey] ??= watch({ offBetweenTasks: false, sticky: foreign, depth: 0, ours: false }))

/**
 * Makes `watched` sticky whenever the storage is entered other than by this file (a copy of this
 * package loaded later without this check, or anyone who found the storage): this file cannot
 * tell what such a context started.
 */
function watch(watched: HookMode): HookMode {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the storage as `this` below
  const { run, enterWith } = storage
  unwatchedRun = run
  Object.defineProperties(storage, {
    run: {
      configurable: true,
      writable: true,
      value: function (this: AsyncLocalStorage<StoredTask>, ...args: Parameters<typeof run>) {
        if (!watched.ours) watched.sticky = true
        return run.apply(this, args)
      },
    },
    enterWith: {
      configurable: true,
      writable: true,
      value: function (this: AsyncLocalStorage<StoredTask>, store: StoredTask) {
        watched.sticky = true
        enterWith.call(this, store)
      },
    },
  })
  return watched
}

/**
 * A fresh async id. Ids come from one counter that every async resource of the thread draws
 * from (promises while the hooks are on, timers, immediates, ticks, microtasks, I/O): two probes
 * whose ids are one apart saw nothing asynchronous started between them.
 */
function probe(): number {
  return new asyncHooks.AsyncResource('XTaskProbe', { requireManualDestroy: true }).asyncId()
}

/**
 * Lets this thread turn `currentTask()`'s async hooks off between tasks while every task run so
 * far ran synchronously and started nothing asynchronous (see the module's notes): for a thread
 * whose own code makes many promises between tasks (a queue worker). `currentTask()` reads the
 * same everywhere; each task then costs two async-id probes and turning the hooks on and off.
 * Once a task starts something asynchronous the hooks stay on, as without this call; so do they
 * when tasks ran in this thread before the call (nothing checked what they started).
 *
 * @internal
 */
export function hooksOffBetweenTasks(): void {
  mode.offBetweenTasks = true
}

/** The context stored for the running task, or `undefined` outside a task. */
export function storedTask(): StoredTask | undefined {
  return state.used ? storage.getStore() : undefined
}

/** The id of the running task (its future's id), or `undefined` outside a task. */
export function runningTaskId(): number | undefined {
  return state.used ? storage.getStore()?.id : undefined
}

/**
 * Runs `fn(arg)` with `task` stored as the running task (and everything it starts
 * asynchronously). `arg` lets a hot caller pass a static function instead of a closure per call.
 * After {@link hooksOffBetweenTasks}, the outermost call checks whether `fn` started anything
 * asynchronous ({@link probe}) or returned a thenable: if so the hooks stay on for good (its
 * continuations read the context through them); else they go off until the next task.
 */
export function runWithStoredTask<R, A = undefined>(task: StoredTask, fn: (arg: A) => R, arg?: A): R {
  state.used = true
  // (not opted in: the storage's own run, whose watch makes the mode sticky, since nothing checked
  // this task: a later opt-in keeps the hooks on for what it started; nested: the outer one checks)
  if (!mode.offBetweenTasks || mode.sticky || mode.depth > 0) {
    // (what the watched run does, without its rest parameters and apply() on every task: in V8's
    // unoptimized tiers, where a worker runs its first thousand-odd tasks, they cost; issue 13, W2)
    if (unwatchedRun === undefined) return storage.run(task, fn, arg as A)
    if (!mode.ours) mode.sticky = true
    return unwatchedRun.call(storage, task, fn, arg as A) as R
  }
  const before = probe()
  let result: R | undefined
  try {
    result = enter(task, fn, arg as A)
  } finally {
    if (probe() !== before + 1 || isThenable(result)) mode.sticky = true
    // (tasks started together: once, after the last of them; see runTasksTogether)
    else if (mode.together === true) mode.offAfter = true
    // (Node.js removes its promise hooks a microtask later, so this is safe inside a promise reaction)
    else storage.disable()
  }
  return result
}

/**
 * Calls `fn()`, which starts several tasks one after the other (an executor's loop starting the
 * calls its free slots take): after {@link hooksOffBetweenTasks}, the hooks go off once, after
 * `fn` returned, instead of after each task (turning them on and off costs microseconds; each
 * task is still checked on its own, and one that started anything asynchronous keeps them on).
 * The code between those tasks runs with the hooks on, outside any task, as it would without
 * {@link hooksOffBetweenTasks}.
 */
export function runTasksTogether(fn: () => void): void {
  if (!mode.offBetweenTasks || mode.sticky || mode.depth > 0 || mode.together === true) {
    fn()
    return
  }
  mode.together = true
  try {
    fn()
  } finally {
    mode.together = false
    const off = mode.offAfter === true
    mode.offAfter = false
    if (off && quietOutside()) storage.disable()
  }
}

/** Whether no task started anything asynchronous (read after running some) and none is running. */
function quietOutside(): boolean {
  return !mode.sticky && mode.depth === 0
}

function enter<R, A>(task: StoredTask, fn: (arg: A) => R, arg: A): R {
  const ours = mode.ours
  mode.ours = true
  mode.depth++
  try {
    return storage.run(task, fn, arg)
  } finally {
    mode.depth--
    mode.ours = ours
  }
}
