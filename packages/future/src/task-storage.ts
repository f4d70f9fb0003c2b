import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The per-thread storage of the running task's context, and nothing else: a leaf file, so the
 * modules that only need the running task's id (futures publishing waits, executors publishing
 * events) do not import the module that defines the full context and its `Executor` type.
 *
 * @module
 * @internal
 */

/** What this file knows about a task context: its id. `context.ts` stores full `TaskContext`s. */
export interface StoredTask {
  readonly id: number
}

// One storage per thread, shared by every copy of this package loaded in it (an app and a pool
// may resolve @x/future to different files), so currentTask() always sees the running task.
const storageKey: unique symbol = Symbol.for('@x/future.taskStorage') as never
const usedKey: unique symbol = Symbol.for('@x/future.taskStorageUsed') as never
const shared = globalThis as {
  [storageKey]?: AsyncLocalStorage<StoredTask> | undefined
  [usedKey]?: { used: boolean } | undefined
}
const storage: AsyncLocalStorage<StoredTask> = (shared[storageKey] ??= new AsyncLocalStorage<StoredTask>())
// Whether any task ran in this thread yet: until then there is no context to look up (the main
// thread of a thread or process pool never runs a task itself, and asks on every submit and wait).
const state: { used: boolean } = (shared[usedKey] ??= { used: false })

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
 */
export function runWithStoredTask<R, A = undefined>(task: StoredTask, fn: (arg: A) => R, arg?: A): R {
  state.used = true
  return storage.run(task, fn, arg as A)
}
