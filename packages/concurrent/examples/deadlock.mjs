import { ThreadPoolExecutor, detectDeadlocks, formatReport, isDeadlockError, task } from '@x/concurrent'

const detector = detectDeadlocks() // start it first; onDeadlock: 'throw'
const executor = new ThreadPoolExecutor({ maxWorkers: 1 })

const f = executor.submit(task(new URL('./tasks.mjs', import.meta.url), 'waitOnFuture'))
const error = await f.exception() // in Python, this program hangs forever
if (isDeadlockError(error)) {
  console.log(error.report.kind) // starvation
  console.log(formatReport(error.report).split('\n')[0]) // deadlock detected: pool starvation in ThreadPoolExecutor #1 ...
  console.log(formatReport(error.report, 'mermaid').split('\n')[0]) // flowchart LR (or 'dot' for Graphviz)
}
await executor.shutdown()
detector.stop()
