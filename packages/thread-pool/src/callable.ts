import { describeCallable } from '@x/future'
import type { Callable, CallableSpec } from '@x/future'

/**
 * `describeCallable` plus one case it refuses: a global built-in function reachable by its own
 * name (`String`, `Number`, `Boolean`, `BigInt`, `parseInt`, ...). Every worker has the same
 * global, so it travels as its name; Python's `map(str, ...)` ports as `map(String, ...)`.
 * Other native functions (`Math.pow`) and bound functions are still refused with a `TypeError`.
 *
 * @internal
 */
export function describeForWorker(fn: Callable): CallableSpec {
  if (typeof fn === 'function' && fn.name !== '' && /^[A-Za-z_$][\w$]*$/.test(fn.name)) {
    const global = (globalThis as Record<string, unknown>)[fn.name]
    if (global === fn && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn))) {
      return { kind: 'source', source: fn.name, name: fn.name }
    }
  }
  return describeCallable(fn)
}
