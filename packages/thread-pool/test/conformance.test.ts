import { describeExecutorConformance } from '@x/future/testing'
import { ThreadPoolExecutor } from '@x/thread-pool'

describeExecutorConformance(
  'ThreadPoolExecutor',
  ({ maxWorkers, maxQueue }) => new ThreadPoolExecutor({ maxWorkers, maxQueue }),
  { progress: true, stream: true },
)
