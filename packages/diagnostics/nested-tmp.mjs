import { AsyncPoolExecutor } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'
const n = 100000
async function nested(n) {
  const parents = new AsyncPoolExecutor({ maxWorkers: 64 })
  const children = new AsyncPoolExecutor({ maxWorkers: 8 })
  const start = performance.now()
  const futures = []
  for (let i = 0; i < n / 2; i++) futures.push(parents.submit(async (x) => (await children.submit(async (y) => y + 1, x).result()) + 1, i))
  for (const f of futures) await f.result()
  const ms = performance.now() - start
  await Promise.all([parents.shutdown(), children.shutdown()])
  return ms
}
if (process.argv[2] === 'dd') detectDeadlocks()
await nested(10000)
console.log((await nested(n)).toFixed(0), 'ms')
