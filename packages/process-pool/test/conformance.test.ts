import { describeExecutorConformance } from '@x/future/testing'
import { ProcessPoolExecutor } from '@x/process-pool'

describeExecutorConformance('ProcessPoolExecutor', ({ maxWorkers }) => new ProcessPoolExecutor({ maxWorkers }), {
  timeout: 30_000,
})
