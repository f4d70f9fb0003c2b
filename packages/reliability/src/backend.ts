/**
 * What a backend is, as the chaos harness sees it (types only: the backends and the harness both
 * import them).
 *
 * @module
 */
import type { Executor } from '@x/future'
import type { ChaosAction } from '../fixtures/chaos-tasks.mjs'

/** What a chaos run may ask of a backend. */
export interface BackendOptions {
  readonly maxWorkers: number
  /** Heap limit of each worker, in MiB (OOM tasks hit it). */
  readonly heapLimitMb: number
  /** Milliseconds an aborted running task gets before its worker is ended. */
  readonly abortGracePeriod: number
}

/** One backend as the harness sees it. */
export interface ChaosBackend {
  /** Short name used on the command line (`--backend thread`). */
  readonly name: string
  /** Call kinds this backend never runs (`oom`: its workers have no heap limit to hit). */
  readonly never?: readonly ChaosAction[]
  /** A fresh executor (with its workers started, for backends whose workers live outside it). */
  create(options: BackendOptions): Executor | Promise<Executor>
  /** True when `error` says the worker that ran the future died (exit, signal, OOM). */
  isDeath(error: unknown): boolean
  /**
   * The process ids of the executor's live workers, including ones still starting, when they
   * are separate processes the harness may SIGKILL; `undefined` when workers cannot be killed
   * from outside (threads).
   */
  pids?(executor: Executor): readonly number[]
  /** Calls one worker (one pid) runs at once (default 1); see verdict.ts. */
  readonly slotsPerWorker?: number
  /** Which worker a death error names (a pid), when the error says. */
  deadWorker?(error: unknown): number | undefined
  /**
   * True when a death error says its worker ended abruptly, so a call may have started or ended
   * without its log line (see verdict.ts). Default: the error's `signal` is `'SIGKILL'`.
   */
  abrupt?(error: unknown): boolean
  /** Worker deaths seen outside the executor's `worker:exit` events (processes it does not own). */
  deaths?(executor: Executor): number
  /**
   * After `shutdown()`: stops what `create()` started outside the executor and returns what was
   * left behind (each a line), or nothing.
   */
  dispose?(executor: Executor): Promise<string[]>
}
