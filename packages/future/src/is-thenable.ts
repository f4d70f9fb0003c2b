/**
 * Whether a value is a thenable (what `await` and promise resolution treat as a promise): a leaf
 * file, so the task storage and the async pool share one check without importing each other.
 *
 * @module
 * @internal
 */

/** `value` is an object or function with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
