import { AsyncPoolExecutor, asCompleted } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// In TypeScript: `await using executor = new AsyncPoolExecutor(...)` shuts it down at the end of the block.
const executor = new AsyncPoolExecutor({ maxWorkers: 4 })

// submit: one call, one Future
const future = executor.submit(async (a, b) => a ** b, 2, 10)
console.log(future.toString()) // <Future #1 state=pending>
console.log(await future) // 1024

// map: results in input order, whatever order they finish in
const squares = []
for await (const square of executor.map(async (x) => (await sleep(10 - x), x * x), [1, 2, 3])) squares.push(square)
console.log(squares) // [ 1, 4, 9 ]

// asCompleted: futures as they finish
const jobs = [30, 10, 20].map((ms) => executor.submitWith({ name: `sleep ${ms}` }, () => sleep(ms).then(() => ms)))
for await (const done of asCompleted(jobs)) console.log(done.name, await done.result())
// sleep 10 10
// sleep 20 20
// sleep 30 30

await executor.shutdown()
