/**
 * `primes`: Python's ProcessPoolExecutor example ("which of these large numbers are prime?"),
 * run on each backend in turn, with a progress bar, the time each took and what each
 * executor's `stats()` saw (how long calls waited for a worker and ran, how busy the workers were).
 *
 * Python:
 *     with ProcessPoolExecutor() as executor:
 *         for number, prime in zip(PRIMES, executor.map(is_prime, PRIMES)):
 *             print('%d is prime: %s' % (number, prime))
 */
import { task } from '@x/concurrent'
import type { ExecutorStats } from '@x/concurrent'
import { BACKEND_NOTES, createExecutor, defaultWorkers } from '../backends.js'
import { LocalCluster } from '../distributed.js'
import type { Backend } from '../backends.js'
import { interrupted, track } from '../lifecycle.js'
import { messageOf, say } from '../output.js'
import type { Output } from '../output.js'
import { Progress } from '../progress.js'
import type { ProgressOptions } from '../progress.js'
import type * as tasks from '../tasks.js'

/** Python's list, as in the documentation (one number appears twice there too). */
export const PRIMES: readonly number[] = [
  112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419,
]

const isPrime = task<typeof tasks.isPrime>(new URL('../tasks.js', import.meta.url), 'isPrime')

export interface PrimesOptions {
  readonly backends: readonly Backend[]
  readonly workers: number | undefined
  /** Check the list this many times over (more work makes the backends' differences show). */
  readonly repeat: number
  readonly progress: ProgressOptions
}

interface Run {
  readonly backend: Backend
  readonly workers: number
  readonly seconds: number
  readonly answers: readonly boolean[] | undefined
  readonly stats?: ExecutorStats
  readonly error?: string
}

export async function primes(options: PrimesOptions, out: Output): Promise<number> {
  const workers = options.workers ?? defaultWorkers()
  const numbers = Array.from({ length: options.repeat }, () => PRIMES).flat()
  const runs: Run[] = []
  for (const backend of options.backends) {
    const started = performance.now()
    const progress = new Progress(`primes [${backend} x${String(workers)}]`, numbers.length, options.progress)
    try {
      await using executor = track(createExecutor(backend, workers))
      executor.stats() // start timing before the first call
      const futures = numbers.map((n) => executor.submitWith({ name: `isPrime(${String(n)})`, signal: interrupted }, isPrime, n))
      for (const f of futures) {
        f.addDoneCallback(() => {
          progress.tick()
        })
      }
      const answers: boolean[] = []
      for (const f of futures) answers.push(await f)
      progress.finish()
      runs.push({ backend, workers, seconds: (performance.now() - started) / 1000, answers, stats: executor.stats() })
      if (executor instanceof LocalCluster) say(out, `distributed: ${executor.describeWorkers()} of the ${String(numbers.length)} checks`)
    } catch (error) {
      progress.abandon()
      runs.push({ backend, workers, seconds: (performance.now() - started) / 1000, answers: undefined, error: messageOf(error) })
    }
  }

  const first = runs.find((r) => r.answers !== undefined)
  if (first?.answers !== undefined) {
    const times = options.repeat === 1 ? '' : `, checked ${String(options.repeat)} times over`
    say(out, `is_prime over Python's ${String(PRIMES.length)} numbers${times} (answers from the ${first.backend} backend):`)
    PRIMES.forEach((n, i) => {
      say(out, `${String(n)} is prime: ${String(first.answers?.[i])}`)
    })
    say(out)
  }
  say(out, `backend  workers  time     answers (${String(numbers.length)} checks each)`)
  let status = 0
  for (const run of runs) {
    let verdict: string
    if (run.answers === undefined) {
      verdict = `FAILED: ${run.error ?? 'unknown error'}`
      status = 1
    } else if (first?.answers !== undefined && run.answers.some((a, i) => a !== first.answers?.[i])) {
      verdict = 'DIFFERENT from the first backend'
      status = 1
    } else {
      verdict = run === first ? 'printed above' : 'same as above'
    }
    say(out, `${run.backend.padEnd(8)} ${String(run.workers).padEnd(8)} ${`${run.seconds.toFixed(2)} s`.padEnd(8)} ${verdict}`)
  }
  say(out)
  say(out, 'executor.stats() at the end of each run (milliseconds):')
  say(out, 'backend  completed  failed  utilization  wait p50   wait p99   run p50    run p99')
  for (const run of runs) {
    const st = run.stats
    if (st === undefined) continue
    const ms = (value: number): string => value.toFixed(1).padEnd(10)
    say(
      out,
      `${run.backend.padEnd(8)} ${String(st.completed).padEnd(10)} ${String(st.failed).padEnd(7)} ` +
        `${`${(st.utilization * 100).toFixed(0)} %`.padEnd(12)} ${ms(st.waitTime.p50)} ${ms(st.waitTime.p99)} ${ms(st.runTime.p50)} ${st.runTime.p99.toFixed(1)}`,
    )
  }
  say(out)
  for (const backend of options.backends) say(out, `  ${backend}: ${BACKEND_NOTES[backend]}`)
  return status
}
