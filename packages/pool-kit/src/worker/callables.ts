/**
 * The worker's callable table: the descriptions the pool sent (by number) and the functions
 * loaded from them (a task module imported once, a function's source compiled once).
 *
 * @module
 */
import { executorClassesLoading, loadCallable } from '@x/future/runtime'
import type { CallableSpec } from '@x/future'
import { requiredTask } from './require-first.js'
import type { RequireFunction } from './require-first.js'
import type { TaskFunction } from './task-function.js'

export type { TaskFunction } from './task-function.js'

/**
 * Callables by number, loaded on first use.
 *
 * @example
 * ```ts
 * const callables = new CallableCache('@x/process-pool')
 * for (const { specId, spec } of batch.specs) callables.define(specId, spec)
 * const fn = await callables.load(batch.specIds[0])
 * ```
 * @since 0.1.0
 */
export class CallableCache {
  // (TypeScript-private, not `#` fields: read on every call, see ClaimWords' note)
  private readonly _specs: Map<number, CallableSpec>
  private readonly _loaded: Map<number, TaskFunction>
  private readonly _owner: string
  private readonly _require: RequireFunction | undefined

  /**
   * @param owner the package name, for protocol error messages
   * @param require loads a task's module first where that gives what `import()` gives
   *   (`requireForTasks()`, `require-first.ts`)
   */
  constructor(owner: string, require?: RequireFunction) {
    this._specs = new Map()
    this._loaded = new Map()
    this._owner = owner
    this._require = require
  }

  /** Remembers a callable the pool sent. */
  define(specId: number, spec: CallableSpec): void {
    this._specs.set(specId, spec)
  }

  /**
   * The description of callable `specId`.
   *
   * @throws Error (a protocol error) when the pool never sent callable `specId`.
   */
  spec(specId: number): CallableSpec {
    const spec = this._specs.get(specId)
    if (spec === undefined) throw new Error(`${this._owner}: unknown callable #${String(specId)} (protocol error)`)
    return spec
  }

  /** The loaded function, when it was loaded already (the fast path). */
  loaded(specId: number): TaskFunction | undefined {
    return this._loaded.get(specId)
  }

  /** Loads callable `specId` (requires or imports its module, or compiles its source) once. */
  async load(specId: number): Promise<TaskFunction> {
    const hit = this._loaded.get(specId)
    if (hit !== undefined) return hit
    const spec = this.spec(specId)
    const required = this._require === undefined ? undefined : requiredTask(this._require, spec)
    // (what loadCallable waits for too: @x/future's classes, when the module's import of the
    // runtime entry started loading them)
    if (required !== undefined) await executorClassesLoading()
    const fn = required ?? (await loadCallable(spec))
    this._loaded.set(specId, fn)
    return fn
  }
}
