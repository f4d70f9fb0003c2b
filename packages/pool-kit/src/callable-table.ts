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
  // (TypeScript-private, not `#` fields, and the last callable asked about kept apart: every call
  // asks, most calls name the callable the one before named, and in V8's unoptimized tiers, where
  // the first thousand-odd calls run, a `#` access and each WeakMap lookup cost; issue 13, W2)
  private readonly _ids: Map<string, number>
  private readonly _specOf: WeakMap<object, CallableSpec>
  private readonly _idOf: WeakMap<CallableSpec, number>
  /** The last callable {@link describe} cached, and its spec (a cached spec never changes). */
  private _lastFn: Callable | undefined
  private _lastSpec: CallableSpec | undefined
  /** The last spec {@link idOf} numbered, and its number. */
  private _lastIdSpec: CallableSpec | undefined
  private _lastId: number

  constructor() {
    this._ids = new Map()
    this._specOf = new WeakMap()
    this._idOf = new WeakMap()
    this._lastFn = undefined
    this._lastSpec = undefined
    this._lastIdSpec = undefined
    this._lastId = 0
  }

  /**
   * `describeCallable(fn)`, cached per function object (describing a function reads its source)
   * and per `task()` handle (frozen: one spec, so `idOf` finds its number without building a key).
   */
  describe(fn: Callable): CallableSpec {
    if (fn === this._lastFn) return this._lastSpec as CallableSpec
    if (typeof fn !== 'function' && !(isTask(fn) && Object.isFrozen(fn))) return describeCallable(fn)
    let spec = this._specOf.get(fn)
    if (spec === undefined) {
      spec = describeCallable(fn)
      this._specOf.set(fn, spec)
    }
    this._lastFn = fn
    this._lastSpec = spec
    return spec
  }

  /** The callable's number: equal for equal modules and exports, or equal source. */
  idOf(spec: CallableSpec): number {
    if (spec === this._lastIdSpec) return this._lastId
    let id = this._idOf.get(spec)
    if (id === undefined) {
      const key = spec.kind === 'task' ? `t\u0000${spec.module}\u0000${spec.exportName}` : `s\u0000${spec.source}`
      id = this._ids.get(key)
      if (id === undefined) {
        id = this._ids.size + 1
        this._ids.set(key, id)
      }
      this._idOf.set(spec, id)
    }
    this._lastIdSpec = spec
    this._lastId = id
    return id
  }
}
