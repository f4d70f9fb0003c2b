// Python's second deadlock example: one worker, and its task waits for work queued behind it.
import { AsyncPoolExecutor, currentTask } from '@x/future'

const executor = new AsyncPoolExecutor({ maxWorkers: 1 })

async function waitOnFuture() {
  const f = currentTask().executor.submit((a, b) => a ** b, 5, 2)
  // This never completes: the only worker is running this function.
  return await f.result(100)
}

const outer = executor.submit(waitOnFuture)
console.log(String(await outer.exception())) // TimeoutError: future #2 was not done after 100 ms (...)
await executor.shutdown()
