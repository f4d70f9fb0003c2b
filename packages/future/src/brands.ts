/**
 * The brands that mark this package's objects across copies of it (an app and a pool, or a
 * worker, may each load their own copy of `@x/future`). A leaf file: every module that needs to
 * recognise a future, an executor or a task handle imports the brand from here, not the class.
 *
 * @module
 * @internal
 */

/** Marks a `Future` (a getter on its prototype returns `true`). */
export const futureBrand: unique symbol = Symbol.for('@x/future.Future') as never
/** Marks an `Executor` (a getter on its prototype returns `true`). */
export const executorBrand: unique symbol = Symbol.for('@x/future.Executor') as never
/** Marks a handle made by `task()` (a non-enumerable own property). */
export const taskBrand: unique symbol = Symbol.for('@x/future.Task') as never

/** `true` when `value` is an object (or function) whose `brand` property is `true`. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  )
}
