/* eslint-disable no-console -- a measuring script: it prints its numbers */
// W2-like: 2,000 sequential round trips on 1 worker (p50 and p99 in microseconds).
import { ProcessPoolExecutor } from '../dist/index.js'
const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
await pool.submit((x) => x, 0)
const times = []
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now()
  if ((await pool.submit((x) => x + 1, i)) !== i + 1) throw new Error('wrong')
  times.push((performance.now() - t0) * 1000)
}
times.sort((a, b) => a - b)
console.log(`p50 ${Math.round(times[1000])} us, p99 ${Math.round(times[1980])} us`)
await pool.shutdown()
