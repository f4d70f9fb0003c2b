/**
 * `@x/reliability` (private): the chaos harness, its backends and the pieces the soak uses.
 *
 * @packageDocumentation
 */
export { backends, threadBackend, processBackend } from './backends.js'
export { distributedBackend, queueKeys, leftovers as redisLeftovers } from './distributed-backend.js'
export { XWorkerCluster, xWorkerBin } from './cluster.js'
export type { ChaosBackend, BackendOptions } from './backends.js'
export { runChaos, chaosTask, echoTask, expectedValue, defaultMix } from './chaos.js'
export type { ChaosOptions, ChaosReport, ChaosMix } from './chaos.js'
export { Random } from './random.js'
export { leftovers, resourceCounts, isAlive } from './resources.js'
export { describe, judge } from './verdict.js'
export type { CallRecord, Verdict, Outcome } from './verdict.js'
