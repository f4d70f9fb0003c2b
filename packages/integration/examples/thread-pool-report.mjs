// Prints the report of the seed starvation on a ThreadPoolExecutor (shown in @x/diagnostics' README).
//   node examples/thread-pool-report.mjs
import { task } from '@x/future'
import { detectDeadlocks, formatReport } from '@x/diagnostics'
import { ThreadPoolExecutor } from '@x/thread-pool'

const detector = detectDeadlocks()
const pool = new ThreadPoolExecutor({ maxWorkers: 1, name: 'cpu' })
const outer = pool.submit(task(new URL('../test/fixtures/tasks.mjs', import.meta.url), 'wait_on_future'))
const error = await outer.exception()
process.stdout.write(`${formatReport(error.report)}\n`)
await pool.shutdown()
detector.stop()
