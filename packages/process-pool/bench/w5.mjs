/* eslint-disable no-console -- a measuring script: it prints its numbers */
// W5-like: create a pool, get one result, shut down (ms), with the phases.
import { ProcessPoolExecutor } from '../dist/index.js'
for (let r = 0; r < 5; r++) {
  const t0 = performance.now()
  const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
  if ((await pool.submit((x) => x + 1, 1)) !== 2) throw new Error('wrong')
  const t1 = performance.now()
  await pool.shutdown()
  const t2 = performance.now()
  console.log(`first result ${(t1 - t0).toFixed(1)} ms, shutdown ${(t2 - t1).toFixed(1)} ms, total ${(t2 - t0).toFixed(1)} ms`)
}
