import { AsyncPoolExecutor, asCompleted } from '@x/concurrent'

const executor = new AsyncPoolExecutor({ maxWorkers: 5 })
const nap = (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms))

// Closures are fine here: AsyncPoolExecutor runs them on this thread (think fetch(), not CPU).
const futures = [300, 100, 200].map((ms) => executor.submitWith({ name: `nap ${ms}` }, nap, ms))
for await (const future of asCompleted(futures, { timeout: 5_000 })) {
  console.log(future.name, await future.result()) // nap 100 100, then nap 200 200, then nap 300 300
}
await executor.shutdown()
