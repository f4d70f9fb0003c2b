/**
 * `executorClasses()`: the `Executor` and `Future` classes of this copy of the package, for code
 * that loaded only `@x/future/runtime` (see class-registry.ts for how a worker thread gets them
 * without a `require()`). The main entry imports this file too (index.ts), so the bundle puts it
 * in the runtime's core, the one file a pool's thread loads.
 *
 * @module
 * @internal
 */
import { classesLoading, isMainThread, loadClassesInThread, missing, registeredClasses } from './class-registry.js'
import { FutureError } from './errors.js'
import type { Executor } from './executor.js'
import type { Future } from './future.js'

/**
 * The load of this package that the `@x/future/runtime` entry started in this worker thread (a
 * task module imported the entry, not `@x/future`), while it runs and the classes are missing;
 * else `undefined`. `loadCallable` awaits it before it hands over a task's function; a worker that
 * loads a task's function itself (the thread pool's `require()` of an ES module task) awaits it
 * before the task runs, so that `currentTask().executor` finds the classes.
 * @since 0.1.0
 */
export function executorClassesLoading(): Promise<void> | undefined {
  return classesLoading()
}

/**
 * What {@link executorClasses} returns.
 * @since 0.1.0
 */
export interface ExecutorClasses {
  /** `@x/future`'s `Executor`. */
  readonly Executor: typeof Executor
  /** `@x/future`'s `Future`. */
  readonly Future: typeof Future
}

/**
 * This package's `Executor` and `Future` classes (the same ones `import { Executor, Future } from
 * '@x/future'` gives). In a worker thread they are there once a task module imported `@x/future`
 * or `@x/future/runtime` (the runtime entry loads the package with `import()`, and the pool's
 * worker waits for it before it runs the task); a process's main thread that never loaded
 * `@x/future` loads it here, synchronously (`require()` of the ES module, Node ≥ 20.19: safe
 * there, as nothing terminates a main thread inside it; under a loader that compiles it for
 * `require()` itself, tsx, that is a copy of its own).
 *
 * @throws {FutureError} `ERR_EXECUTOR_CLASSES_NOT_LOADED` in a worker thread where `@x/future` is
 *   not loaded (yet): a task that imports `@x/future/runtime` with `import()` while it runs, and
 *   reads `currentTask().executor` before that package finished loading.
 * @since 0.1.0
 */
export function executorClasses(): ExecutorClasses {
  if (missing()) {
    if (!isMainThread()) {
      loadClassesInThread()
      throw new FutureError(
        "@x/future's Executor and Future are not loaded in this worker thread yet: import @x/future or " +
          '@x/future/runtime in the task module (a static import), or await import("@x/future") before ' +
          'reading currentTask().executor',
        'ERR_EXECUTOR_CLASSES_NOT_LOADED',
      )
    }
    // (node:module only now: importing it at the top would load it, and the source-map support it
    // brings, into every worker thread and child at start, ~2M instructions, for a rare path)
    const loaded = process.getBuiltinModule('node:module').createRequire(import.meta.url)('@x/future') as { Executor?: typeof Executor; Future?: typeof Future }
    // A loader that compiles ES modules for require() itself (tsx's) gives a copy of its own, which
    // registers with its own copy of the registry: its classes then.
    if (missing()) return { Executor: required(loaded.Executor), Future: required(loaded.Future) }
  }
  return { Executor: registeredClasses.Executor as typeof Executor, Future: registeredClasses.Future as typeof Future }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('@x/future: loading the package did not define Executor and Future')
  return value
}
