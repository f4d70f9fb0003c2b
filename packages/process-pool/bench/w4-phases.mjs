/* eslint-disable no-console -- a measuring script: it prints its numbers */
// Where W4's time goes: building the chunks (map's part), and waiting for/iterating results.
import { ProcessPoolExecutor } from '../dist/index.js'
const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
await Promise.all([pool.submit((x) => x, 1), pool.submit((x) => x, 2)])
const input = Array.from({ length: 200000 }, (_, i) => i)
for (let r = 0; r < 3; r++) {
  const t0 = performance.now()
  const it = pool.map((x) => x * x, input, { chunksize: 1000 })
  const t1 = performance.now()
  let n = 0
  let firstAt = 0
  for await (const v of it) {
    if (n === 0) firstAt = performance.now()
    n += v >= 0 ? 1 : 0
  }
  const t2 = performance.now()
  console.log(`submit ${(t1 - t0).toFixed(1)} ms, first result ${(firstAt - t1).toFixed(1)} ms, all ${(t2 - t1).toFixed(1)} ms, ${Math.round(200000 / (t2 - t0) * 1000)} items/s`)
}
await pool.shutdown()
