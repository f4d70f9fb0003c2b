import { describeExecutorConformance } from '@x/future/testing'
import { ProcessPoolExecutor } from '@x/process-pool'

// The pool's constructor does not take `maxQueue` yet (it rejects unknown options; the shared
// engine adds it): until then the suite's maxQueue is set on the instance, through the setter
// every executor inherits from Executor.
describeExecutorConformance(
  'ProcessPoolExecutor',
  ({ maxWorkers, maxQueue }) => Object.assign(new ProcessPoolExecutor({ maxWorkers }), maxQueue === undefined ? {} : { maxQueue }),
  { timeout: 30_000 },
)

