// Progress and stream() on a DistributedExecutor. serve() starts a worker in this process so the
// example runs alone; in production it is an x-worker on another machine.
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'

const root = new URL('.', import.meta.url)
const queue = process.env.QUEUE ?? 'jobs'
const local = new AsyncPoolExecutor({ maxWorkers: 2 })
const worker = await serve({ queue, root, executor: local })
const ex = new DistributedExecutor({ queue, root })
const tasks = new URL('./tasks.mjs', import.meta.url)

// progress: the task calls currentTask().progress(value); listeners get the latest value
// (coalesced, at most one Redis write per 50 ms), the last one before the result, never after
const f = ex.submit(task(tasks, 'hashAll'), ['a.txt', 'b.txt', 'c.txt'])
let progress
f.onProgress((value) => (progress = value))
console.log(await f, progress) // 3 hashed { done: 3, of: 3 }

// stream(): the values as the generator yields them; the worker pauses it while highWaterMark
// values wait here, and break aborts the task on the worker, closing the generator
for await (const line of ex.stream(task(tasks, 'numberedLines'), 'one\ntwo\nthree\nfour', { highWaterMark: 2 })) {
  console.log(line)
  if (line.startsWith('2:')) break
}

await ex.shutdown()
await worker.close()
await local.shutdown()
