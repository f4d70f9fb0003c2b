// The @x/future conformance suite against DistributedExecutor, with two worker processes on one
// queue (serve() on an AsyncPoolExecutor each; @x/concurrent runs it again with x-worker).
import { describeExecutorConformance } from '@x/future/testing'
import { beforeAll, describe } from 'vitest'
import { DistributedExecutor } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, startWorker } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

describe.skipIf(!hasRedis)('DistributedExecutor with two worker processes', () => {
  const queue = freshQueue('conformance')
  beforeAll(async () => {
    await Promise.all([startWorker({ queue, concurrency: 4, allowSource: true }), startWorker({ queue, concurrency: 4, allowSource: true })])
  })
  describeExecutorConformance(
    'DistributedExecutor',
    ({ maxWorkers, maxQueue }) => new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers, maxQueue }),
    { timeout: 30_000, progress: true, stream: true },
  )
})
