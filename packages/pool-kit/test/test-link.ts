// A worker link that sends nowhere, for tests that run worker-side code in the test's own thread.
import type { WorkerLink } from '../src/worker/nested.js'

/** A thread pool's link of one worker whose messages go nowhere. */
export const link: WorkerLink = {
  send: () => undefined,
  kind: 'thread',
  label: 'test pool',
  maxWorkers: 1,
  peer: 'the main thread',
  poolNoun: 'thread pool',
  serializationCode: 'ERR_SERIALIZATION',
}
