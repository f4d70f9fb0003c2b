/**
 * Where the `Executor` and `Future` classes are registered, and how a worker thread loads them,
 * for code that loaded only `@x/future/runtime` and needs them later (a pool's worker runtime:
 * `currentTask().executor` in a worker; `executorClasses()` in executor-classes.ts gives them). `executor.ts` and
 * `future.ts` register their class here as they load, so a task module that imported `@x/future`
 * has registered them already. A leaf at run time: it imports neither of them (a dynamic
 * `import('@x/future')` loads them when needed), so neither import makes a cycle.
 *
 * A task module that imported only `@x/future/runtime` has not loaded them. In a worker thread
 * they must not be loaded then with `require()` (Node 20.20 aborts the whole process when a thread
 * is terminated inside a `require()` of an ES module), so the runtime entry starts loading them
 * with `import()` when it is evaluated in a worker thread that lacks them
 * ({@link loadClassesInThread}), and `loadCallable` waits for that load before it hands over the
 * task's function ({@link classesLoading}). A pool's worker links the runtime's core file, not the
 * entry, so only a task that imports the entry starts the load. So do a function sent as source
 * whose text names `currentTask()`'s global ({@link CURRENT_TASK_GLOBAL}), as it is loaded, and a
 * call of that global: what reads `currentTask().executor` before the load ended (a task that
 * reached the global from a module that imports nothing of this package, or that imported the
 * runtime with `import()` while it ran) gets a `FutureError` that says what to do, not a
 * `require()`.
 *
 * @module
 * @internal
 */

/** The classes registered so far, by name. */
export const registeredClasses: { Executor?: unknown; Future?: unknown } = {}

/** @internal Called by the module that defines the class. */
export function registerClass(name: 'Executor' | 'Future', value: unknown): void {
  registeredClasses[name] ??= value
}

/**
 * @internal The key of `currentTask()`'s global (`globalThis[Symbol.for(CURRENT_TASK_GLOBAL)]`),
 * which a self-contained function sent as source uses instead of an import: `loadCallable` starts
 * loading the classes for a function whose source names it.
 */
export const CURRENT_TASK_GLOBAL = '@x/future.currentTask'

/** The load of `@x/future` started by {@link loadClassesInThread}, until it settled. */
let loading: Promise<void> | undefined

/** @internal Whether `Executor` or `Future` is not registered yet. */
export const missing = (): boolean => registeredClasses.Executor === undefined || registeredClasses.Future === undefined
let mainThread: boolean | undefined
/** @internal Whether this is a process's main thread (cached). */
export const isMainThread = (): boolean => (mainThread ??= process.getBuiltinModule('node:worker_threads').isMainThread)

/**
 * @internal Called by the `@x/future/runtime` entry as it is evaluated: in a worker thread that
 * has not loaded `@x/future`, starts loading it with `import()` (never `require()`, see the
 * module's notes). A process's main thread is left alone (nothing terminates it inside a
 * `require()`; {@link executorClasses} loads the package there when asked).
 */
export function loadClassesInThread(): void {
  if (!missing() || loading !== undefined || isMainThread()) return
  const started: Promise<void> = import('@x/future').then(
    () => {
      if (loading === started) loading = undefined
    },
    // (a package that cannot be loaded shows up at the task's use of it, as it would have)
    () => {
      if (loading === started) loading = undefined
    },
  )
  loading = started
}

/**
 * @internal The load {@link loadClassesInThread} started, while it runs and the classes are
 * missing: `loadCallable` waits for it, so a task that imported only `@x/future/runtime` finds
 * the classes when it runs.
 */
export function classesLoading(): Promise<void> | undefined {
  return loading
}
