/**
 * `@x/future/testing`: the backend conformance suite. One call registers Vitest tests that check
 * an executor against the `Executor` contract (Python's `concurrent.futures` semantics, DESIGN.md).
 *
 * The tasks it submits are self-contained functions, so the suite runs unchanged against
 * in-thread executors, thread pools and process pools. Tasks that must block wait for a file to
 * appear (a "latch"), which works across threads and processes alike.
 *
 * @example
 * ```ts
 * // my-executor.test.ts
 * import { describeExecutorConformance } from '@x/future/testing'
 * import { MyExecutor } from '../src/index.js'
 *
 * describeExecutorConformance('MyExecutor', ({ maxWorkers }) => new MyExecutor({ maxWorkers }))
 * ```
 *
 * @packageDocumentation
 */
import { afterAll, afterEach, describe } from 'vitest'
import { describeCallContract } from './contract-calls.js'
import { describeDependencyContract } from './contract-dependencies.js'
import { describeFeatureContract } from './contract-features.js'
import { describeMapContract } from './contract-map.js'
import { describeProgressContract } from './contract-progress.js'
import { describeStreamContract } from './contract-stream.js'
import { describeStatsContract } from './contract-stats.js'
import { createSuite } from './harness.js'
import type { ConformanceOptions, ExecutorFactory } from './harness.js'

export type { ConformanceOptions, ExecutorFactory, Latch, Recorder } from './harness.js'
export { waitForLatch, recordTask, recordAndWait } from './tasks.js'

/**
 * Registers the conformance tests for an executor under `describe(name)`. Every test makes its
 * own executor with `factory` and shuts it down afterwards. The groups: submit, futures and
 * cancellation, wait and asCompleted, map, shutdown (Python's contract), then what every
 * executor adds beyond Python: maxQueue, stats(), dependencies; and, for a backend that opts in
 * (`{ progress: true, stream: true }`), progress reports and `stream()`.
 *
 * @since 0.1.0
 */
export function describeExecutorConformance(name: string, factory: ExecutorFactory, options?: ConformanceOptions): void {
  const suite = createSuite(factory, options?.timeout ?? 30_000)
  describe(`${name} conforms to the Executor contract`, () => {
    afterEach(() => suite.closeExecutors())
    afterAll(() => {
      suite.removeFiles()
    })
    describeCallContract(suite)
    describeMapContract(suite)
    describeFeatureContract(suite)
    describeDependencyContract(suite)
    describeStatsContract(suite)
    if (options?.progress === true) describeProgressContract(suite)
    if (options?.stream === true) describeStreamContract(suite)
  })
}
