/**
 * The fast path of `await future` and `Promise.all(futures)`. A `Future` is a thenable, not a
 * native promise, so for each of those V8 makes a promise of its own and, in a job, calls
 * `future.then(resolve, reject)` with that promise's resolving functions. Those are native
 * functions that only settle their promise (its reactions still run later, as jobs), so the
 * future may call them as soon as it is done, instead of first settling a promise of its own and
 * then running a reaction of it: per await, two promises (the shared wait's and the one `then()`
 * returned) and one job less. Any other callback passed to `then()` keeps the promise path (it
 * must run asynchronously, in a job). While someone listens to wait events, an await outside any
 * task keeps the resolving functions in the published wait its future's untimed waits share
 * (shared-wait.ts: one `wait:start` per future, no promise per await); one inside a task keeps
 * the promise path (its own published wait, which the deadlock detector analyses).
 *
 * @internal
 * @module
 */

/** `Function.prototype.toString` as it was when this module loaded. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called through .call(fn)
const functionToString = Function.prototype.toString
/** `util.types.isProxy`, loaded on first use (`node:util/types` is not among the modules a worker starts with). */
let isProxy: ((value: unknown) => boolean) | undefined
const isProxyFn = (): ((value: unknown) => boolean) => (isProxy ??= process.getBuiltinModule('node:util/types').isProxy)
/** What `Function.prototype.toString` returns for an anonymous native function (and for any bound function or proxy of one). */
const ANONYMOUS_NATIVE = 'function () { [native code] }'

/**
 * Whether `fn` is an anonymous native function: a promise's resolving function (or the
 * resolve-element function of `Promise.all` and its kin). Calling one runs no code of the
 * user's beyond a `then` getter of the value it is given. A bound function (named `bound ...`)
 * or a proxy, which the same text stands for, is not one.
 */
export function isPromiseResolver(fn: unknown): fn is Resolver {
  return typeof fn === 'function' && fn.name === '' && functionToString.call(fn) === ANONYMOUS_NATIVE && !isProxyFn()(fn)
}

/** A resolving function (it returns `undefined`). */
export type Resolver = (value: unknown) => unknown

/**
 * The resolving functions a pending future calls once it is done: one `then()`'s pair in the
 * two fields (no array for the one await most futures get), or, from the second, all the pairs
 * flattened in the first field, `[onfulfilled, onrejected, ...]`, and nothing in the second.
 */
export type DirectThens = Resolver | Resolver[]

/** @internal The future's {@link DirectThens}, while it is pending and awaited. */
export const kDirectThens: unique symbol = Symbol('directThens')
/** @internal The `onrejected` of the one pair in {@link kDirectThens}. */
export const kDirectReject: unique symbol = Symbol('directReject')

/** What holds the direct thens: a future. */
export interface DirectThenHolder {
  [kDirectThens]: DirectThens | undefined
  [kDirectReject]: Resolver | undefined
}

/**
 * What `then(resolve, reject)` returns when it takes this path. The callers that pass
 * resolving functions (`await`, `Promise.all()` and its kin, `Promise.resolve(future)`) drop it
 * unread, so it is not worth a promise per await: it is one promise, already fulfilled with
 * `undefined` (what a `then(resolve, reject)` promise is fulfilled with).
 */
export const returned: Promise<undefined> = Promise.resolve(undefined)

/** Adds `onfulfilled`/`onrejected` (resolving functions) to the future's; returns what `then()` returns. */
export function addDirectThen(future: DirectThenHolder, onfulfilled: Resolver, onrejected: Resolver): Promise<undefined> {
  const thens = future[kDirectThens]
  const reject = future[kDirectReject]
  if (typeof thens === 'object') {
    thens.push(onfulfilled, onrejected)
  } else if (thens === undefined || reject === undefined) {
    future[kDirectThens] = onfulfilled
    future[kDirectReject] = onrejected
  } else {
    future[kDirectThens] = [thens, reject, onfulfilled, onrejected]
    future[kDirectReject] = undefined
  }
  return returned
}

/**
 * The future is done: calls each pair's `onfulfilled(outcome)`, or `onrejected(outcome)` when
 * `failed`, in the order of the `then()` calls.
 */
export function settleDirectThens(future: DirectThenHolder, failed: boolean, outcome: unknown): void {
  const thens = future[kDirectThens]
  if (thens === undefined) return
  const reject = future[kDirectReject]
  future[kDirectThens] = undefined
  future[kDirectReject] = undefined
  if (typeof thens === 'function') {
    ;(failed ? reject : thens)?.(outcome)
    return
  }
  for (let i = failed ? 1 : 0; i < thens.length; i += 2) thens[i]?.(outcome)
}
