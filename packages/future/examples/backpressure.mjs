import { AsyncPoolExecutor, QueueFullError } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
// 2 calls run, at most 3 wait: a producer faster than the workers cannot pile up work
const executor = new AsyncPoolExecutor({ maxWorkers: 2, maxQueue: 3 })

const first = [1, 2, 3, 4, 5].map((n) => executor.submit(async (x) => (await sleep(20), x * 10), n))
try {
  executor.submit(async () => 'one too many')
} catch (error) {
  console.log(error instanceof QueueFullError, error.code) // true ERR_QUEUE_FULL
}

// onRoom(): resolves once a submit would not throw (at once while there is room)
let total = 0
for (let n = 6; n <= 10; n++) {
  await executor.onRoom()
  executor.submit(async (x) => (await sleep(5), (total += x)), n)
}

// map() with buffersize waits for room by itself, whatever its size
const squares = []
for await (const square of executor.map(async (x) => x * x, [1, 2, 3, 4, 5, 6, 7, 8], { buffersize: 4 })) squares.push(square)

console.log(await Promise.all(first)) // [ 10, 20, 30, 40, 50 ]
console.log(squares.join(' ')) // 1 4 9 16 25 36 49 64
await executor.shutdown()
console.log(total) // 40
