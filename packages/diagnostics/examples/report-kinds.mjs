// Prints a real report for each kind of deadlock (the README shows this output).
//   node examples/report-kinds.mjs [text|dot|mermaid|snapshot]
import { AsyncPoolExecutor } from '@x/future'
import { detectDeadlocks, formatReport, isDeadlockError } from '@x/diagnostics'

const format = process.argv[2] ?? 'text'
const print = (line) => process.stdout.write(`${line}\n`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const show = (title, report) => {
  print(`===== ${title} =====`)
  print(formatReport(report, format === 'snapshot' ? 'text' : format))
  print('')
}

if (format === 'snapshot') {
  // A live graph while a deadlock is in place ('warn' keeps it there).
  process.removeAllListeners('warning')
  const detector = detectDeadlocks({ onDeadlock: 'warn' })
  const cpu = new AsyncPoolExecutor({ maxWorkers: 1, name: 'cpu' })
  const io = new AsyncPoolExecutor({ maxWorkers: 2, name: 'io' })
  const healthy = io.submitWith({ name: 'download' }, () => sleep(50))
  let inner
  const outer = cpu.submitWith({ name: 'wait_on_future' }, async () => {
    inner = cpu.submitWith({ name: 'pow' }, () => 5 ** 2)
    return await inner.result()
  })
  await sleep(10)
  const snapshot = detector.snapshot()
  print(snapshot.toString())
  print('')
  print(snapshot.toMermaid())
  inner.cancel()
  await outer.exception()
  await healthy
  detector.stop()
} else {
  const detector = detectDeadlocks()
  // cycle: the seed's first example
  {
    const io = new AsyncPoolExecutor({ maxWorkers: 2, name: 'io' })
    let a, b
    async function wait_on_b() {
      await sleep(20)
      return await b.result()
    }
    async function wait_on_a() {
      await sleep(20)
      return await a.result()
    }
    a = io.submit(wait_on_b)
    b = io.submit(wait_on_a)
    const main = a.result() // the main thread waits too: a tail
    const error = await b.exception()
    await main.catch(() => undefined)
    if (isDeadlockError(error)) show('cycle', error.report)
  }
  // starvation: the seed's second example
  {
    const cpu = new AsyncPoolExecutor({ maxWorkers: 1, name: 'cpu' })
    const outer = cpu.submit(async function wait_on_future() {
      const f = cpu.submit(function pow() {
        return 5 ** 2
      })
      return await f.result()
    })
    const error = await outer.exception()
    if (isDeadlockError(error)) show('starvation', error.report)
  }
  // self-wait
  {
    const io = new AsyncPoolExecutor({ maxWorkers: 2, name: 'io' })
    const holder = {}
    holder.self = io.submit(async function narcissus() {
      await sleep(1)
      return await holder.self.result()
    })
    const error = await holder.self.exception()
    if (isDeadlockError(error)) show('self-wait', error.report)
  }
  detector.stop()
  // shutdown-from-task: the executor rejects the call itself; the detector reports it
  {
    const reports = []
    const reporting = detectDeadlocks({ onDeadlock: (report) => reports.push(report) })
    const own = new AsyncPoolExecutor({ maxWorkers: 2, name: 'own' })
    const closer = own.submit(async function closer() {
      await own.shutdown({ wait: true })
    })
    const error = await closer.exception()
    print(`(the task's own error: ${error.message.split(':')[0]}: ...)`)
    show('shutdown-from-task', reports[0])
    reporting.stop()
  }
}
