import { task } from '@x/future'
import { ProcessPoolExecutor } from '@x/process-pool'

const tasks = new URL('./tasks.mjs', import.meta.url)
const pool = new ProcessPoolExecutor({ maxWorkers: 2 })

// progress: reported in the child, structured-cloned to the parent's listeners
const job = pool.submit(task(tasks, 'sumOfSquares'), 100_000)
const seen = []
job.onProgress((value) => seen.push(value))
console.log(await job) // 333338333350000n
console.log(seen.at(-1)) // { done: 100000, of: 100000 }: the last report arrives before the result

// stream(): a generator in a child, consumed as it yields, paused at highWaterMark
const got = []
for await (const n of pool.stream(task(tasks, 'countdown'), 1_000_000, { highWaterMark: 4 })) {
  got.push(n)
  if (n === 999_997) break // aborts the generator's signal: the child stops it
}
console.log(got.join(' ')) // 1000000 999999 999998 999997
await pool.shutdown()
