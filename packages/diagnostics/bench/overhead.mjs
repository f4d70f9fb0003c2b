// Overhead of the deadlock detector on tiny tasks (AsyncPoolExecutor, this thread).
//   node bench/overhead.mjs [tasks=100000] [rounds=5]
// (Async tiny functions: a sync one makes AsyncPoolExecutor recurse in #pump; see the report.)
// Cases, interleaved round by round, median of the rounds:
//   submit+result         n tasks, each awaited from the main thread
//   nested submit+await   n/2 parent tasks each awaiting a child task on another pool
// each with the detector off (no subscriber: executors publish nothing), with no-op subscribers
// on every channel (what publishing the events costs @x/future), with the detector on, and with
// the detector on but `waitSites: false` (no call stack captured per wait inside a task).
import diagnosticsChannel from 'node:diagnostics_channel'
import { AsyncPoolExecutor, channelNames } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'

const tasks = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 5)

async function flat(n) {
  const pool = new AsyncPoolExecutor({ maxWorkers: 8 })
  const start = performance.now()
  const futures = []
  for (let i = 0; i < n; i++) futures.push(pool.submit(async (x) => x + 1, i))
  for (const f of futures) await f.result()
  const ms = performance.now() - start
  await pool.shutdown()
  return ms
}

// Parents and children on separate pools: on one bounded pool this program would starve.
async function nested(n) {
  const parents = new AsyncPoolExecutor({ maxWorkers: 64 })
  const children = new AsyncPoolExecutor({ maxWorkers: 8 })
  const start = performance.now()
  const futures = []
  for (let i = 0; i < n / 2; i++) {
    futures.push(parents.submit(async (x) => (await children.submit(async (y) => y + 1, x).result()) + 1, i))
  }
  for (const f of futures) await f.result()
  const ms = performance.now() - start
  await Promise.all([parents.shutdown(), children.shutdown()])
  return ms
}

/** No-op subscribers on every channel: what @x/future's publishing costs, without the detector. */
function listenOnly() {
  const noop = () => undefined
  for (const name of Object.values(channelNames)) diagnosticsChannel.subscribe(name, noop)
  return () => {
    for (const name of Object.values(channelNames)) diagnosticsChannel.unsubscribe(name, noop)
  }
}

const print = (line) => process.stdout.write(`${line}\n`)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const results = { off: [], on: [], offNested: [], onNested: [], bare: [], bareNested: [], noSites: [], noSitesNested: [] }
await flat(10_000) // warm up
for (let r = 0; r < rounds; r++) {
  results.off.push(await flat(tasks))
  results.offNested.push(await nested(tasks))
  const unlisten = listenOnly()
  results.bare.push(await flat(tasks))
  results.bareNested.push(await nested(tasks))
  unlisten()
  const detector = detectDeadlocks()
  results.on.push(await flat(tasks))
  results.onNested.push(await nested(tasks))
  detector.stop()
  const lean = detectDeadlocks({ waitSites: false })
  results.noSites.push(await flat(tasks))
  results.noSitesNested.push(await nested(tasks))
  lean.stop()
}
const rate = (ms) => Math.round(tasks / (ms / 1000)).toLocaleString('en-US')
const row = (name, ms, base) =>
  `${name.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms  ${rate(ms).padStart(10)} tasks/s${base ? `  ${(((ms - base) / base) * 100).toFixed(1).padStart(6)} %` : ''}`
print(`${tasks} tiny tasks, median of ${rounds} rounds, Node ${process.version}`)
print(row('submit+result, detector off', median(results.off)))
print(row('submit+result, no-op subscribers', median(results.bare), median(results.off)))
print(row('submit+result, detector on', median(results.on), median(results.off)))
print(row('submit+result, on, waitSites: false', median(results.noSites), median(results.off)))
print(row('nested submit+await, detector off', median(results.offNested)))
print(row('nested submit+await, no-op subscribers', median(results.bareNested), median(results.offNested)))
print(row('nested submit+await, detector on', median(results.onNested), median(results.offNested)))
print(row('nested submit+await, on, waitSites: false', median(results.noSitesNested), median(results.offNested)))
