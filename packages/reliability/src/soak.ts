#!/usr/bin/env node
/**
 * `pnpm soak [--minutes N] [--backend thread,process,distributed] [--interval S] [--calls N]
 * [--kill-every MS] [--kill-starting SHARE] [--kill-target any|serving] [--workers N] [--seed N]`
 *
 * Runs the chaos mix continuously on every backend (the distributed one when a Redis answers at
 * `REDIS_URL`: real x-worker processes on a fresh queue per round), the backends taking turns (rounds of `--calls` calls on a
 * fresh executor, each round checked and shut down before the next), with the deadlock detector on.
 * Every `--interval` seconds it prints, per backend, futures settled/submitted, worker deaths,
 * collateral failures per death and p99 latency, and for the process RSS and heap after a full
 * GC. It exits non-zero when a round broke a promise (a lost or double-settled future, a wrong
 * value, collateral damage, a leak after shutdown), when the detector reported anything (chaos
 * tasks never wait on each other), or when the heap keeps growing: the heap after GC in the last
 * quarter of the run must stay under 1.5 × (plus 16 MiB) the one measured after warm-up.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { setTimeout as delay } from 'node:timers/promises'
import { detectDeadlocks } from '@x/diagnostics'
import { channelNames } from '@x/future'
import { backends } from './backends.js'
import type { ChaosBackend } from './backend.js'
import { runChaos } from './chaos.js'
import { redisAnswers, redisUrl } from './distributed-backend.js'
import { listFlag, numberFlag, parseFlags } from './cli-args.js'
import { quantile, summarize } from './summary.js'

const print = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

const flags = parseFlags(process.argv.slice(2))
const minutes = numberFlag(flags, 'minutes', 2)
const intervalMs = numberFlag(flags, 'interval', 30) * 1000
const calls = numberFlag(flags, 'calls', 3000)
const workers = numberFlag(flags, 'workers', 2)
const seed0 = numberFlag(flags, 'seed', Date.now() % 1_000_000)
const killEvery = numberFlag(flags, 'kill-every', 0)
// The distributed executor joins the default when a Redis answers (x-workers on a fresh queue).
const withRedis = flags.has('backend') || (await redisAnswers())
if (!withRedis) print(`soak: no Redis answers at ${redisUrl}: the distributed backend is left out (start one, or set REDIS_URL)`)
const names = listFlag(flags, 'backend', withRedis ? ['thread', 'process', 'distributed'] : ['thread', 'process'])
const chosen = names.map((name) => {
  const backend = backends[name]
  if (backend === undefined) throw new TypeError(`unknown backend "${name}": use ${Object.keys(backends).join(', ')}`)
  return backend
})
const gc = (globalThis as { gc?: () => void }).gc

interface Figures {
  submitted: number
  settled: number
  deaths: number
  deathFailures: number
  collateral: number
  rounds: number
  violations: number
  latencies: number[]
}
const figures = new Map<string, Figures>(
  names.map((name) => [name, { submitted: 0, settled: 0, deaths: 0, deathFailures: 0, collateral: 0, rounds: 0, violations: 0, latencies: [] }]),
)
const failures: string[] = []
let deadlockReports = 0
const detector = detectDeadlocks({
  onDeadlock: (report) => {
    deadlockReports++
    failures.push(`the deadlock detector reported: ${report.summary}`)
  },
})
let workerExits = 0
const onExit = (): void => {
  workerExits++
}
diagnosticsChannel.subscribe(channelNames.workerExit, onExit)

const memory: { minute: number; rssMb: number; heapMb: number }[] = []
const measure = (): { rssMb: number; heapMb: number } => {
  gc?.()
  const usage = process.memoryUsage()
  return { rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 }
}

const started = Date.now()
const stop = new AbortController()
const deadline = started + minutes * 60_000
print(
  `soak: ${names.join(' + ')} for ${String(minutes)} min, rounds of ${String(calls)} calls on ${String(workers)} workers, seed ${String(seed0)}` +
    (killEvery > 0 ? `, SIGKILL every ~${String(killEvery)} ms` : '') +
    (gc === undefined ? ' (no --expose-gc: heap figures include garbage)' : ''),
)

/** One round of chaos on `backend`, folded into its figures. */
async function round(backend: ChaosBackend, own: Figures, seed: number): Promise<void> {
  const report = await runChaos({
    backend,
    seed,
    calls,
    maxWorkers: workers,
    stop: stop.signal,
    onSubmitted: () => {
      own.submitted++
    },
    onSettled: (latency) => {
      own.settled++
      own.latencies.push(latency)
    },
    ...(killEvery > 0
      ? {
          kill: {
            everyMs: killEvery,
            startingShare: numberFlag(flags, 'kill-starting', 0),
            target: flags.get('kill-target') === 'any' ? 'any' : 'serving',
          },
        }
      : {}),
  })
  own.rounds++
  own.deaths += report.deaths
  own.deathFailures += report.deathFailures
  own.collateral += report.collateral
  own.violations += report.violations.length
  if (report.settled !== report.submitted) failures.push(`${backend.name} seed ${String(seed)}: ${String(report.submitted - report.settled)} futures never settled`)
  if (report.violations.length > 0) {
    failures.push(`${backend.name} seed ${String(seed)}: ${report.violations[0] ?? ''}`)
    print(`  ✗ ${summarize(report)}`)
    for (const v of report.violations.slice(0, 5)) print(`    ✗ ${v}`)
  }
}

// The backends take turns (one round each), so each round's leak check sees only its own executor.
async function soak(): Promise<void> {
  for (let n = 0; Date.now() < deadline; n++) {
    const backend = chosen[n % chosen.length]
    const own = backend === undefined ? undefined : figures.get(backend.name)
    if (backend !== undefined && own !== undefined) await round(backend, own, seed0 + n * 7919)
  }
}

const ticker = setInterval(() => {
  const minute = (Date.now() - started) / 60_000
  const { rssMb, heapMb } = measure()
  memory.push({ minute, rssMb, heapMb })
  const parts = [...figures].map(([name, f]) => {
    const p99 = quantile(f.latencies, 0.99)
    f.latencies = []
    const perDeath = f.deaths === 0 ? 0 : f.collateral / f.deaths
    return `${name} ${String(f.settled)}/${String(f.submitted)} settled, ${String(f.deaths)} deaths, collateral/death ${perDeath.toFixed(2)}, p99 ${p99.toFixed(0)} ms, ${String(f.violations)} violations`
  })
  print(`[${minute.toFixed(1)} min] ${parts.join(' | ')} | rss ${rssMb.toFixed(0)} MiB, heap ${heapMb.toFixed(1)} MiB`)
}, intervalMs)

await soak()
stop.abort()
clearInterval(ticker)
detector.stop()
diagnosticsChannel.unsubscribe(channelNames.workerExit, onExit)
await delay(100)

// The memory verdict: after warm-up (the first quarter), the heap after GC must level off.
const warm = memory.filter((m) => m.minute >= minutes / 4)
const first = warm[0]
const lastQuarter = memory.filter((m) => m.minute >= (minutes * 3) / 4)
const peakLate = Math.max(...lastQuarter.map((m) => m.heapMb))
if (first !== undefined && lastQuarter.length > 0 && peakLate > first.heapMb * 1.5 + 16) {
  failures.push(`the heap keeps growing: ${first.heapMb.toFixed(1)} MiB after warm-up, ${peakLate.toFixed(1)} MiB in the last quarter`)
}

print('')
print(`memory curve (minute: rss MiB / heap MiB after GC): ${memory.map((m) => `${m.minute.toFixed(1)}: ${m.rssMb.toFixed(0)}/${m.heapMb.toFixed(1)}`).join(', ')}`)
for (const [name, f] of figures) {
  print(
    `${name}: ${String(f.rounds)} rounds, ${String(f.settled)}/${String(f.submitted)} futures settled, ${String(f.deaths)} worker deaths survived, ` +
      `${String(f.deathFailures)} death failures, ${String(f.collateral)} healthy calls failed with their worker (${(f.deaths === 0 ? 0 : f.collateral / f.deaths).toFixed(2)} per death), ${String(f.violations)} violations`,
  )
}
print(`worker:exit events: ${String(workerExits)}; deadlock reports: ${String(deadlockReports)}`)
if (failures.length > 0) {
  print(`FAILED (${String(failures.length)}):`)
  for (const f of failures.slice(0, 20)) print(`  ✗ ${f}`)
  process.exitCode = 1
} else print('PASSED: nothing lost, nothing settled twice, no leak, the heap levels off')
