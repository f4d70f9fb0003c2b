// Python's first deadlock example: two tasks, each waiting for the other's future.
// Without a timeout this waits forever; @x/diagnostics turns it into a DeadlockError.
import { AsyncPoolExecutor, TimeoutError } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const executor = new AsyncPoolExecutor({ maxWorkers: 2 })

async function waitOnB() {
  await sleep(5)
  return await b.result(100) // b will never complete because it is waiting on a
}
async function waitOnA() {
  await sleep(5)
  return await a.result(100) // a will never complete because it is waiting on b
}

const a = executor.submit(waitOnB)
const b = executor.submit(waitOnA)

try {
  await a
} catch (error) {
  console.log(error instanceof TimeoutError, error.code) // true ERR_FUTURE_TIMEOUT
}
await executor.shutdown()
