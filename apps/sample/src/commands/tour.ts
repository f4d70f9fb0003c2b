/**
 * `tour` (the default command): every example of Python's `concurrent.futures` documentation,
 * ported, each in a few lines of output. A section that fails says so and the tour goes on;
 * the exit status is then 1.
 */
import { AsyncPoolExecutor, asCompleted, task } from '@x/concurrent'
import { createExecutor } from '../backends.js'
import { LocalCluster, redisAnswers, redisUrl } from '../distributed.js'
import { track } from '../lifecycle.js'
import { messageOf, say } from '../output.js'
import type { Output } from '../output.js'
import type * as tasks from '../tasks.js'
import { deadlockSections } from './deadlocks.js'
import type { GraphFormat } from './deadlocks.js'

const tasksUrl = new URL('../tasks.js', import.meta.url)
const pow = task<typeof tasks.pow>(tasksUrl, 'pow')
const squareWithPid = task<typeof tasks.squareWithPid>(tasksUrl, 'squareWithPid')
const sumOfSquares = task<typeof tasks.sumOfSquares>(tasksUrl, 'sumOfSquares')
const report = task<typeof tasks.report>(tasksUrl, 'report')

export interface TourOptions {
  readonly graph: GraphFormat
}

export interface Section {
  readonly title: string
  run(out: Output): Promise<void>
}

const submitPow: Section = {
  title: 'submit() on a thread pool: pow(323, 1235), printed as Python prints it',
  async run(out) {
    say(out, '   Python: with ThreadPoolExecutor(max_workers=1) as executor:')
    say(out, '               print(executor.submit(pow, 323, 1235).result())')
    say(out, '   here:   await using executor = new ThreadPoolExecutor({ maxWorkers: 1 })')
    say(out, '           console.log(String(await executor.submit(pow, 323n, 1235n)))')
    await using executor = track(createExecutor('thread', 1))
    const digits = String(await executor.submit(pow, 323n, 1235n))
    say(out, digits)
    say(out, `   (${digits.length.toLocaleString('en-US')} digits: a BigInt computed in a worker thread)`)
  },
}

const mapChunks: Section = {
  title: 'map() with chunksize on a process pool',
  async run(out) {
    const inputs = Array.from({ length: 10 }, (_, i) => i + 1)
    say(out, '   executor.map(squareWithPid, [1..10], { chunksize: 4 }) on ProcessPoolExecutor({ maxWorkers: 2 })')
    await using executor = track(createExecutor('process', 2))
    const results: { square: number; pid: number }[] = []
    for await (const r of executor.map(squareWithPid, inputs, { chunksize: 4 })) results.push(r)
    say(out, `   results, in input order: ${results.map((r) => String(r.square)).join(' ')}`)
    const chunks: string[] = []
    for (let i = 0; i < results.length; i += 4) {
      const chunk = results.slice(i, i + 4)
      const pids = [...new Set(chunk.map((r) => r.pid))]
      chunks.push(`[${String(inputs[i])}..${String(inputs[i + chunk.length - 1])}] in pid ${pids.join('+')}`)
    }
    say(out, `   ${String(chunks.length)} chunks of up to 4 inputs, each run as one task in a child: ${chunks.join(', ')} (this app is pid ${String(process.pid)})`)
  },
}

const completionOrder: Section = {
  title: 'asCompleted(): futures in the order they finish, not the order submitted',
  async run(out) {
    const naps = [
      { name: 'slow', ms: 300 },
      { name: 'quick', ms: 100 },
      { name: 'medium', ms: 200 },
      { name: 'instant', ms: 0 },
    ]
    await using executor = track(new AsyncPoolExecutor({ maxWorkers: 4 }))
    const sleep = async (ms: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return ms
    }
    const futures = naps.map(({ name, ms }) => executor.submitWith({ name }, sleep, ms))
    say(out, `   submitted: ${naps.map(({ name, ms }) => `${name} (${String(ms)} ms)`).join(', ')}`)
    const finished: string[] = []
    for await (const f of asCompleted(futures)) finished.push(`${f.name ?? '?'} (${String(await f.result())} ms)`)
    say(out, `   finished:  ${finished.join(', ')}`)
  },
}

const dependencyInsteadOfWait: Section = {
  title: 'The same starvation, never written: pass the future as an argument (a dependency) instead of waiting on it',
  async run(out) {
    say(out, '   Python: executor.submit(wait_on_future) deadlocks with max_workers=1 (the task holds the only worker while it waits)')
    say(out, '   here:   const square = executor.submit(pow, 5n, 2n)')
    say(out, '           const line = executor.submit(report, square)   // on ThreadPoolExecutor({ maxWorkers: 1 })')
    await using executor = track(createExecutor('thread', 1))
    const square = executor.submitWith({ name: 'pow(5, 2)' }, pow, 5n, 2n)
    const line = executor.submitWith({ name: 'report' }, report, square)
    say(out, `   right after submit: ${line.name ?? '?'} is ${line.state} and holds no worker; the worker runs pow(5, 2) first`)
    say(out, `   ${await line}`)
    say(out, '   (if pow had failed, report would fail with DependencyError without running)')
  },
}

const nestedInProcess: Section = {
  title: 'Executor methods from inside a process-pool task (Python: "will result in deadlock")',
  async run(out) {
    say(out, '   sumOfSquares(10) in a child process calls currentTask().executor.map(squareWithPid, [1..10])')
    say(out, '   on its own ProcessPoolExecutor({ maxWorkers: 2 }) and awaits the results')
    await using executor = track(createExecutor('process', 2))
    const { sum, pid, helpers } = await executor.submit(sumOfSquares, 10)
    say(out, `   sum = ${String(sum)}, computed in pid ${String(pid)}; the squares ran in pid ${helpers.join(', ')}`)
  },
}

const acrossMachines: Section = {
  title: 'The same map across machines: DistributedExecutor and two local x-workers on Redis',
  async run(out) {
    if (!(await redisAnswers())) {
      say(out, `   skipped: no Redis answers at ${redisUrl} (the repository README says how to start one)`)
      return
    }
    say(out, '   executor.map(squareWithPid, [1..8], { chunksize: 2 }) on DistributedExecutor({ queue, root, maxWorkers: 4 })')
    say(out, '   with two x-worker processes serving the queue (x-worker --queue x-sample-<pid>-<n> --root <this app>)')
    await using executor = track(new LocalCluster(4))
    const results: { square: number; pid: number }[] = []
    for await (const r of executor.map(squareWithPid, [1, 2, 3, 4, 5, 6, 7, 8], { chunksize: 2 })) results.push(r)
    say(out, `   results, in input order: ${results.map((r) => String(r.square)).join(' ')}`)
    say(out, `   run by: ${executor.describeWorkers()} (chunks), in pid ${[...new Set(results.map((r) => r.pid))].join(', ')}`)
  },
}

/** Runs the tour; resolves to the exit status. */
export async function tour(options: TourOptions, out: Output): Promise<number> {
  const sections: Section[] = [submitPow, mapChunks, completionOrder, ...deadlockSections(options.graph), dependencyInsteadOfWait, nestedInProcess, acrossMachines]
  say(out, "@x/concurrent tour: the examples of Python's concurrent.futures documentation, ported")
  let failed = 0
  for (const [i, section] of sections.entries()) {
    say(out)
    say(out, `${String(i + 1)}. ${section.title}`)
    try {
      await section.run(out)
    } catch (error) {
      failed++
      say(out, `   FAILED: ${messageOf(error)}`)
    }
  }
  say(out)
  say(out, failed === 0 ? `All ${String(sections.length)} examples ran.` : `${String(failed)} of ${String(sections.length)} examples FAILED.`)
  return failed === 0 ? 0 : 1
}
