import { AsyncPoolExecutor, DependencyError } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const executor = new AsyncPoolExecutor({ maxWorkers: 1 })

// b and c wait for their futures without holding the one worker, then run with the values
const a = executor.submit(async (path) => (await sleep(10), `rows of ${path}`), 'x.csv')
const b = executor.submit((rows) => rows.toUpperCase(), a)
const c = executor.submit((rows, upper) => `${rows} / ${upper}`, a, b)
console.log(b.state, c.state) // PENDING PENDING
console.log(await c) // rows of x.csv / ROWS OF X.CSV

// a failed (or cancelled) dependency fails the call without running it
const broken = executor.submit(() => {
  throw new RangeError('no such file')
})
const parsed = executor.submitWith({ name: 'parse' }, (rows) => rows.length, broken)
try {
  await parsed
} catch (error) {
  console.log(error instanceof DependencyError, error.code, error.cause.message) // true ERR_DEPENDENCY_FAILED no such file
}

// a waiting call can be cancelled
const never = executor.submit((rows) => rows, executor.submit(() => sleep(20)))
console.log(never.cancel(), never.state) // true CANCELLED_AND_NOTIFIED
await executor.shutdown()
