import { AsyncPoolExecutor } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const executor = new AsyncPoolExecutor({ maxWorkers: 2 })
executor.stats() // the first call starts timing (counts are kept from the start anyway)

const ok = [5, 10, 15].map((ms) => executor.submit(async () => (await sleep(ms), ms)))
const failed = executor.submit(async () => {
  throw new RangeError('bad input')
})
const cancelled = executor.submit(async () => 'never runs')
cancelled.cancel()

console.log(executor.stats().running, executor.stats().queued) // 0 4: calls start on the next tick
await Promise.allSettled([...ok, failed])

const { workers, running, queued, completed, cancelled: dropped, failed: errors, utilization, waitTime, runTime } = executor.stats()
console.log(JSON.stringify({ workers, running, queued, completed, failed: errors, cancelled: dropped }))
// {"workers":0,"running":0,"queued":0,"completed":3,"failed":1,"cancelled":1}
console.log(runTime.count, waitTime.count) // 4 4: the cancelled call never waited for a worker nor ran
console.log(runTime.max >= 10, runTime.p50 <= runTime.p99, utilization > 0 && utilization <= 1) // true true true
await executor.shutdown()
