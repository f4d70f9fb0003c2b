/* eslint-disable no-console -- a measuring script: it prints its numbers */
// Interleaved rounds, each run in a fresh process: our pool, tinypool's child_process runtime and
// Python's ProcessPoolExecutor, W1 (20,000 tiny tasks, 2 workers, tasks/s) and W4 (200,000
// squares, map chunksize 1000, items/s). Prints every round, then medians and ratios.
// Usage: node bench/run.mjs [rounds]   (build first: pnpm --filter @x/process-pool build)
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const rounds = Number(process.argv[2] ?? 5)
const runs = {
  'W1 ours': ['node', ['w.mjs', 'ours', 'w1']],
  'W1 tinypool child_process': ['node', ['w.mjs', 'tinypool', 'w1']],
  'W1 python ProcessPoolExecutor': ['python3', ['w.py', 'w1']],
  'W4 ours': ['node', ['w.mjs', 'ours', 'w4']],
  'W4 python ProcessPoolExecutor': ['python3', ['w.py', 'w4']],
}
const results = Object.fromEntries(Object.keys(runs).map((k) => [k, []]))
for (let r = 1; r <= rounds; r++) {
  const line = []
  for (const [name, [cmd, args]] of Object.entries(runs)) {
    const value = Number(execFileSync(cmd, args, { cwd: here, encoding: 'utf8' }).trim())
    results[name].push(value)
    line.push(`${name}=${value}`)
  }
  console.log(`round ${r}: ${line.join('  ')}`)
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
console.log('\nmedians:')
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(32)} ${Math.round(v)} (min ${Math.min(...results[k])}, max ${Math.max(...results[k])})`)
console.log('\nratios (medians):')
console.log(`  W1 ours / tinypool child_process: ${(m['W1 ours'] / m['W1 tinypool child_process']).toFixed(2)}x (target >= 2)`)
console.log(`  W1 ours / python:                 ${(m['W1 ours'] / m['W1 python ProcessPoolExecutor']).toFixed(2)}x (target >= 2)`)
console.log(`  W4 ours / python:                 ${(m['W4 ours'] / m['W4 python ProcessPoolExecutor']).toFixed(2)}x (target >= 1.2)`)
