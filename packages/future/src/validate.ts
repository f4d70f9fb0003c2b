import { describeValue } from './errors.js'
import type { CancelHook } from './future-hooks.js'

/** Throws a TypeError unless `timeout` is undefined or a number (not NaN). */
export function checkTimeout(timeout: unknown, where: string): asserts timeout is number | undefined {
  if (timeout === undefined) return
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(
      `${where}: timeout must be a number of milliseconds or undefined (wait forever), got ${describeValue(timeout)}`,
    )
  }
}

/**
 * {@link checkTimeout} for a method that returns a promise: the rejected promise to return when
 * `timeout` is bad, else `undefined`.
 */
export function rejectBadTimeout(timeout: unknown, where: string): Promise<never> | undefined {
  try {
    checkTimeout(timeout, where)
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the validation error it caught
    return Promise.reject(error)
  }
  return undefined
}

/** The `name` of `new Future(options)`; a TypeError when `options` is not an object or `name` not a string. */
export function checkFutureName(options: { name?: string | undefined } | undefined): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Future options must be an object like { name: 'job' }, got ${describeValue(options)}`)
  }
  const name = options?.name
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`Future name must be a string, got ${describeValue(name)}`)
  }
  return name
}

/** `new Future({ cancelHook })`'s hook, checked. */
export function checkCancelHook(hook: CancelHook): CancelHook {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
  if (typeof hook !== 'object' || hook === null || typeof hook.futureCancelled !== 'function') {
    throw new TypeError(`Future cancelHook must be an object with a futureCancelled() method, got ${describeValue(hook)}`)
  }
  return hook
}

/** The type name `toString()` shows: `number`, `null`, `Array`, `RangeError`, ... */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object' || typeof value === 'function') {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === null) return 'Object'
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor
    if (typeof ctor?.name === 'string' && ctor.name !== '') {
      if (value instanceof Error && typeof value.name === 'string' && value.name !== 'Error') return value.name
      return ctor.name
    }
    return 'Object'
  }
  return typeof value
}

/** `true` for `{}`-like objects: the options bag that may end `map()`'s argument list. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Validates an options object: undefined or a plain object with only known keys. */
export function checkOptions(
  options: unknown,
  where: string,
  known: readonly string[],
): void {
  if (options === undefined) return
  if (!isPlainObject(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describeValue(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}"; the options are ${known.map((k) => `"${k}"`).join(', ')}`)
    }
  }
}

/** Validates a positive integer option (maxWorkers, ...) with Python's message as a prefix. */
export function checkPositiveInteger(value: unknown, pythonMessage: string, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${option} must be an integer, got ${describeValue(value)}`)
  }
  if (value <= 0) throw new RangeError(`${pythonMessage} (${option}: ${String(value)})`)
  return value
}
