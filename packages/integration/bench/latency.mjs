// Detection latency: from the wait:start that closes the deadlock to the wait:end 'rejected' the
// detector causes, for the seed starvation on each executor.
//   node bench/latency.mjs [runs=20]
import diagnosticsChannel from 'node:diagnostics_channel'
import { AsyncPoolExecutor, channelNames, task } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'

const runs = Number(process.argv[2] ?? 20)
const print = (line) => process.stdout.write(`${line}\n`)
const started = new Map()
const latencies = []
const onStart = (event) => started.set(event.waitId, performance.now())
const onEnd = (event) => {
  if (event.reason === 'rejected' && started.has(event.waitId)) latencies.push(performance.now() - started.get(event.waitId))
}
diagnosticsChannel.subscribe(channelNames.waitStart, onStart)
diagnosticsChannel.subscribe(channelNames.waitEnd, onEnd)

async function measure(name, make, outerTask) {
  latencies.length = 0
  const detector = detectDeadlocks()
  for (let i = 0; i < runs; i++) {
    const pool = make()
    await pool.submit(outerTask(pool)).exception()
    await pool.shutdown()
  }
  detector.stop()
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3)
  print(`${name.padEnd(20)} runs ${sorted.length}  median ${at(0.5)} ms  p90 ${at(0.9)} ms  max ${at(1)} ms`)
}

await measure('AsyncPoolExecutor', () => new AsyncPoolExecutor({ maxWorkers: 1 }), (pool) => async () => await pool.submit(async () => 25).result())
const fixture = new URL('../test/fixtures/tasks.mjs', import.meta.url)
await measure('ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 1 }), () => task(fixture, 'wait_on_future'))
await measure('ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 1 }), () => task(fixture, 'wait_on_future'))
diagnosticsChannel.unsubscribe(channelNames.waitStart, onStart)
diagnosticsChannel.unsubscribe(channelNames.waitEnd, onEnd)
