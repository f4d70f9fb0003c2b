/**
 * What the engine needs of a `stream()` task's consumer: where the values its worker yields go,
 * and how much the worker may yield ahead.
 *
 * @module
 */

/**
 * The receiving end of a `stream()` task, handed to `PoolEngine.submit()`.
 * @since 0.1.0
 */
export interface StreamSink {
  /** How many values the worker may yield ahead of the consumer. */
  readonly highWaterMark: number
  /** Values the worker yielded, in order. */
  push(values: readonly unknown[]): void
  /** The engine's way to tell the worker that the consumer took `count` values. */
  connect(credit: (count: number) => void): void
}
