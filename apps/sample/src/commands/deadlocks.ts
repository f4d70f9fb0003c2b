/**
 * The two deadlocks of Python's documentation, caught by `detectDeadlocks` instead of hanging.
 * In Python both programs hang forever; here the wait that closes the deadlock rejects with a
 * `DeadlockError` whose report says who waits for whom, and where.
 */
import { AsyncPoolExecutor, detectDeadlocks, formatReport, isDeadlockError, task } from '@x/concurrent'
import type { DeadlockReport, Future } from '@x/concurrent'
import { createExecutor } from '../backends.js'
import { track } from '../lifecycle.js'
import { say } from '../output.js'
import type { Output } from '../output.js'
import type * as tasks from '../tasks.js'
import type { Section } from './tour.js'

export const GRAPH_FORMATS = ['mermaid', 'dot'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

const waitOnFuture = task<typeof tasks.waitOnFuture>(new URL('../tasks.js', import.meta.url), 'waitOnFuture')

function indent(text: string, prefix = '   | '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n')
}

/** Prints how each future ended and the detector's report, as text and as a graph. */
async function show(out: Output, futures: readonly Future[], graph: GraphFormat): Promise<void> {
  let report: DeadlockReport | undefined
  for (const f of futures) {
    // a guard against a hang (a deadlock the detector missed), not a deadline: the detector reports
    // at once, but on a loaded machine the thread that runs the task may take seconds to start
    const error = await f.exception(30_000)
    if (error === undefined) {
      say(out, `   ${f.name ?? '?'} returned ${String(await f.result())}`)
      continue
    }
    say(out, `   ${f.name ?? '?'} failed with ${error instanceof Error ? error.name : typeof error}`)
    if (report === undefined && isDeadlockError(error)) report = error.report
  }
  if (report === undefined) throw new Error('the detector did not report this deadlock')
  say(out, `   The detector's report (kind: ${report.kind}):`)
  say(out, indent(formatReport(report, 'text')))
  say(out, `   The wait as a graph (${graph === 'dot' ? 'Graphviz DOT' : 'Mermaid'}):`)
  say(out, indent(formatReport(report, graph)))
}

/**
 * Runs `body` with a detector in `'throw'` mode, started first: it must see the executors being
 * created. `body` shuts its executors down before the detector stops.
 */
async function withDetector(body: () => Promise<void>): Promise<void> {
  const detector = detectDeadlocks({ onDeadlock: 'throw' })
  try {
    await body()
  } finally {
    detector.stop()
  }
}

export function deadlockSections(graph: GraphFormat): Section[] {
  return [
    {
      title: "Deadlock: two tasks waiting on each other's futures",
      async run(out) {
        say(out, '   Python: a = executor.submit(wait_on_b); b = executor.submit(wait_on_a)   (ThreadPoolExecutor(max_workers=2))')
        say(out, '   here:   the same closures on AsyncPoolExecutor({ maxWorkers: 2 }) (a worker cannot see')
        say(out, "           this thread's variables a and b, a closure on this thread can), with detectDeadlocks() on")
        await withDetector(async () => {
          await using executor = track(new AsyncPoolExecutor({ maxWorkers: 2 }))
          const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
          // Python's module globals a and b: the tasks read them after both are assigned.
          const futures = new Map<'a' | 'b', Future<number>>()
          const resultOf = (name: 'a' | 'b'): Promise<number> => {
            const f = futures.get(name)
            if (f === undefined) throw new Error(`future ${name} was not submitted`)
            return f.result()
          }
          const waitOnB = async (): Promise<number> => {
            await sleep(50)
            say(out, String(await resultOf('b'))) // b will never complete because it is waiting on a
            return 5
          }
          const waitOnA = async (): Promise<number> => {
            await sleep(50)
            say(out, String(await resultOf('a'))) // a will never complete because it is waiting on b
            return 6
          }
          const a = executor.submitWith({ name: 'wait_on_b' }, waitOnB)
          const b = executor.submitWith({ name: 'wait_on_a' }, waitOnA)
          futures.set('a', a).set('b', b)
          await show(out, [a, b], graph)
        })
      },
    },
    {
      title: 'Deadlock: maxWorkers 1, and a task that submits a subtask and waits for it',
      async run(out) {
        say(out, '   Python: executor = ThreadPoolExecutor(max_workers=1); executor.submit(wait_on_future)')
        say(out, '           where wait_on_future submits pow(5, 2) to the same executor and waits for it')
        say(out, '   here:   ThreadPoolExecutor({ maxWorkers: 1 }), waitOnFuture() in a worker thread submits through')
        say(out, '           currentTask().executor, with detectDeadlocks() on')
        await withDetector(async () => {
          await using executor = track(createExecutor('thread', 1))
          const f = executor.submitWith({ name: 'wait_on_future' }, waitOnFuture)
          await show(out, [f], graph)
        })
      },
    },
  ]
}
