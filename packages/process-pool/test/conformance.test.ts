import { describeExecutorConformance } from '@x/future/testing'
import { ProcessPoolExecutor } from '@x/process-pool'

describeExecutorConformance('ProcessPoolExecutor', (options) => new ProcessPoolExecutor(options), { timeout: 30_000 })
