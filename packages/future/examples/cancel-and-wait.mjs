import { AsyncPoolExecutor, FIRST_COMPLETED, wait } from '@x/future'

const executor = new AsyncPoolExecutor({ maxWorkers: 1 })
const slow = executor.submit(() => new Promise((resolve) => setTimeout(resolve, 50, 'slow')))
const queued = executor.submit(() => 'never runs')

await new Promise((resolve) => setImmediate(resolve)) // tasks start on the next tick
console.log(slow.state, queued.state) // RUNNING PENDING

console.log(queued.cancel(), queued.state) // true CANCELLED_AND_NOTIFIED: pending work can be cancelled
console.log(slow.cancel()) // false: running work cannot

const { done, notDone } = await wait([slow, queued], { returnWhen: FIRST_COMPLETED })
console.log(done.has(queued), notDone.has(slow)) // true true

await executor.shutdown() // waits for `slow`
console.log(await slow) // slow
