import { describeExecutorConformance } from '@x/future/testing'
import { ThreadPoolExecutor } from '@x/thread-pool'

// The pool's constructor does not take `maxQueue` yet (it rejects unknown options; the shared
// engine adds it): until then the suite's maxQueue is set on the instance, through the setter
// every executor inherits from Executor.
describeExecutorConformance(
  'ThreadPoolExecutor',
  ({ maxWorkers, maxQueue }) => Object.assign(new ThreadPoolExecutor({ maxWorkers }), maxQueue === undefined ? {} : { maxQueue }),
)
