/**
 * The type of a function a worker runs: a leaf file, so the modules that load task functions
 * (callables.ts, require-first.ts) share it without importing each other.
 *
 * @module
 */

/**
 * A function a worker runs.
 * @since 0.1.0
 */
export type TaskFunction = (...args: unknown[]) => unknown
