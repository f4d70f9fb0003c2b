import { describeExecutorConformance } from '@x/future/testing'
import { ProcessPoolExecutor } from '@x/process-pool'

describeExecutorConformance(
  'ProcessPoolExecutor',
  ({ maxWorkers, maxQueue }) => new ProcessPoolExecutor({ maxWorkers, maxQueue }),
  { timeout: 30_000, progress: true, stream: true },
)
