/**
 * The `Executor` and `Future` classes of this copy of the package, for code that loaded only
 * `@x/future/runtime` (a pool's worker runtime: it runs tasks without the executors) and needs
 * them later (`currentTask().executor` in a worker). `executor.ts` and `future.ts` register their
 * class as they load (`class-registry.ts`), so a task module that imported `@x/future` has
 * registered them already.
 *
 * @module
 * @internal
 */
import { registeredClasses } from './class-registry.js'
import type { Executor } from './executor.js'
import type { Future } from './future.js'

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
 * '@x/future'` gives). When nothing in this thread loaded `@x/future` yet, it is loaded here,
 * synchronously (`require()` of the ES module, Node ≥ 20.19; under a loader that compiles it for
 * `require()` itself, tsx, that is a copy of its own).
 * @since 0.1.0
 */
export function executorClasses(): ExecutorClasses {
  if (registeredClasses.Executor === undefined || registeredClasses.Future === undefined) {
    // (node:module only now: importing it at the top would load it, and the source-map support it
    // brings, into every worker thread and child at start, ~2M instructions, for a rare path)
    const loaded = process.getBuiltinModule('node:module').createRequire(import.meta.url)('@x/future') as { Executor?: typeof Executor; Future?: typeof Future }
    // A loader that compiles ES modules for require() itself (tsx's) gives a copy of its own, which
    // registers with its own copy of the registry: its classes then.
    if (registeredClasses.Executor === undefined || registeredClasses.Future === undefined) {
      return { Executor: required(loaded.Executor), Future: required(loaded.Future) }
    }
  }
  return { Executor: registeredClasses.Executor as typeof Executor, Future: registeredClasses.Future as typeof Future }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('@x/future: loading the package did not define Executor and Future')
  return value
}
