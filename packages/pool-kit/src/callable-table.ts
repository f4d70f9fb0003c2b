/**
 * Callable interning: each distinct callable (a task module + export, or a function's source)
 * gets a small number, so a worker is sent its description once and every later call names it
 * by number.
 *
 * @module
 */
import { describeCallable, isTask } from '@x/future'
import type { Callable, CallableSpec } from '@x/future'

/**
 * Numbers callables, once per pool; a worker remembers which numbers it has been sent.
 *
 * @example
 * ```ts
 * const table = new CallableTable()
 * const spec = table.describe(fn)      // cached per function object
 * const id = table.idOf(spec)          // 1, 2, ...: the same id for the same module/export or source
 * ```
 * @since 0.1.0
 */
export class CallableTable {
  readonly #ids = new Map<string, number>()
  readonly #specOf = new WeakMap<object, CallableSpec>()
  readonly #idOf = new WeakMap<CallableSpec, number>()

  /**
   * `describeCallable(fn)`, cached per function object (describing a function reads its source)
   * and per `task()` handle (frozen: one spec, so `idOf` finds its number without building a key).
   */
  describe(fn: Callable): CallableSpec {
    if (typeof fn !== 'function' && !(isTask(fn) && Object.isFrozen(fn))) return describeCallable(fn)
    const hit = this.#specOf.get(fn)
    if (hit !== undefined) return hit
    const spec = describeCallable(fn)
    this.#specOf.set(fn, spec)
    return spec
  }

  /** The callable's number: equal for equal modules and exports, or equal source. */
  idOf(spec: CallableSpec): number {
    const known = this.#idOf.get(spec)
    if (known !== undefined) return known
    const key = spec.kind === 'task' ? `t\u0000${spec.module}\u0000${spec.exportName}` : `s\u0000${spec.source}`
    let id = this.#ids.get(key)
    if (id === undefined) {
      id = this.#ids.size + 1
      this.#ids.set(key, id)
    }
    this.#idOf.set(spec, id)
    return id
  }
}
