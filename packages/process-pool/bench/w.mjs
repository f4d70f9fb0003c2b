/* eslint-disable no-console -- a measuring script: it prints its numbers */
// Usage: node bench/w.mjs <ours|tinypool> <w1|w4>  (prints tasks/s or items/s)
import Tinypool from 'tinypool'
import { ProcessPoolExecutor } from '../dist/index.js'
const [who, which] = process.argv.slice(2)
if (who === 'tinypool') {
  const pool = new Tinypool({ runtime: 'child_process', filename: new URL('./tp-task.mjs', import.meta.url).href, minThreads: 2, maxThreads: 2, serialization: 'advanced', env: process.env })
  await Promise.all([pool.run(1), pool.run(2)])
  const t0 = performance.now()
  const ps = []
  for (let i = 0; i < 20000; i++) ps.push(pool.run(i))
  const r = await Promise.all(ps)
  const dt = performance.now() - t0
  if (r.reduce((a, b) => a + b, 0) !== 200010000) throw new Error('wrong')
  console.log(Math.round(20000 / dt * 1000))
  await pool.destroy()
} else {
  const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
  await Promise.all([pool.submit((x) => x, 1), pool.submit((x) => x, 2)])
  if (which === 'w1') {
    const t0 = performance.now()
    const fs = []
    for (let i = 0; i < 20000; i++) fs.push(pool.submit((x) => x + 1, i))
    let s = 0
    for (const f of fs) s += await f
    const dt = performance.now() - t0
    if (s !== 200010000) throw new Error('wrong')
    console.log(Math.round(20000 / dt * 1000))
  } else {
    const input = Array.from({ length: 200000 }, (_, i) => i)
    const t0 = performance.now()
    let last = 0, n = 0
    for await (const v of pool.map((x) => x * x, input, { chunksize: 1000 })) { last = v; n++ }
    const dt = performance.now() - t0
    if (n !== 200000 || last !== 199999 ** 2) throw new Error('wrong')
    console.log(Math.round(200000 / dt * 1000))
  }
  await pool.shutdown()
}
