// The 25 scenarios of research/deadlock.md §4 on AsyncPoolExecutor (the in-thread executor of
// @x/future). The research wrote them for a thread pool ("TPE"); the thread- and process-pool
// versions of the ones that need real workers (seed examples, worker death, process-pool
// re-entrancy) live in packages/integration. Where a scenario assumes an API we do not have
// (synchronous waits, nesting-depth limits, captureStacks, a durability probe), the test name
// says "adapted" and what it checks instead; the README lists the same.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ALL_COMPLETED,
  AsyncPoolExecutor,
  CancelledError,
  FIRST_COMPLETED,
  Future,
  TimeoutError,
  asCompleted,
  channels,
  wait,
} from '@x/future'
import type { WaitStartEvent } from '@x/future'
import { detectDeadlocks, DeadlockError, formatReport, isDeadlockError } from '@x/diagnostics'
import type { DeadlockDetector, DeadlockReport } from '@x/diagnostics'
import { gate, Later, must, recordEvents, settledWithin, sleep, watchDeadlocks, within } from './helpers/observe.js'

let detector: DeadlockDetector | undefined
let watcher: ReturnType<typeof watchDeadlocks>
const pools: AsyncPoolExecutor[] = []

function pool(maxWorkers: number, name: string): AsyncPoolExecutor {
  const executor = new AsyncPoolExecutor({ maxWorkers, name })
  pools.push(executor)
  return executor
}

beforeEach(() => {
  watcher = watchDeadlocks()
})

afterEach(async () => {
  watcher.stop()
  detector?.stop()
  detector = undefined
  await within(Promise.all(pools.splice(0).map((executor) => executor.shutdown({ cancelFutures: true }))), 5_000, 'shutdown')
})

const T = { timeout: 10_000 }

async function errorOf(future: Future): Promise<unknown> {
  return await within(future.exception(), 5_000, `future #${String(future.id)}`)
}

/**
 * The seed's first example: `wait_on_b` waits on b's future and `wait_on_a` on a's; each sleeps
 * first (`wait_on_a` longer when `bLater` is set, so its wait is the one that closes the cycle).
 */
function seedCycle(io: AsyncPoolExecutor, bLater = false): { a: Future<number>; b: Future<number> } {
  const a = new Later<Future<number>>('a')
  const b = new Later<Future<number>>('b')
  async function wait_on_b(): Promise<number> {
    await sleep(20)
    await b.value.result()
    return 5
  }
  async function wait_on_a(): Promise<number> {
    await sleep(bLater ? 40 : 20)
    await a.value.result()
    return 6
  }
  a.value = io.submit(wait_on_b)
  b.value = io.submit(wait_on_a)
  return { a: a.value, b: b.value }
}

/** The seed's second example: maxWorkers 1, a task submits a subtask and waits for it. */
function starve(executor: AsyncPoolExecutor): { outer: Future<number>; inner: () => Future<number> } {
  let inner: Future<number> | undefined
  const outer = executor.submit(async function wait_on_future() {
    inner = executor.submit(function pow() {
      return 5 ** 2
    })
    return await inner.result()
  })
  return {
    outer,
    inner: () => {
      if (inner === undefined) throw new Error('the outer task has not submitted yet')
      return inner
    },
  }
}

describe('deadlock.md §4 on AsyncPoolExecutor', () => {
  it('1. the seed cycle (wait_on_a / wait_on_b): one DeadlockError in the second waiter, propagated to the other', T, async () => {
    detector = detectDeadlocks()
    const io = pool(2, 'io')
    const { a, b } = seedCycle(io)
    const errorB = await errorOf(b)
    const errorA = await errorOf(a)
    expect(errorB).toBeInstanceOf(DeadlockError)
    expect(errorA).toBe(errorB) // a's wait on b received b's failure
    expect(watcher.reports).toHaveLength(1)
    const report = (errorB as DeadlockError).report
    expect(report.kind).toBe('cycle')
    expect(report.victimTaskId).toBe(b.id)
    expect(report.tasks.map((task) => [task.id, task.name])).toEqual([
      [a.id, 'wait_on_b'],
      [b.id, 'wait_on_a'],
    ])
    const stacks = report.waits.map((w) => w.stack)
    expect(stacks.some((stack) => stack.includes('wait_on_a'))).toBe(true)
    expect(stacks.some((stack) => stack.includes('wait_on_b'))).toBe(true)
  })

  it('2. a task waiting on its own future (through a holder) is a self-wait', T, async () => {
    detector = detectDeadlocks()
    const io = pool(2, 'io')
    const holder = new Later<Future>('self')
    const self = io.submit(async function narcissus() {
      await sleep(1)
      return await holder.value.result()
    })
    holder.value = self
    const error = await errorOf(self)
    expect(isDeadlockError(error)).toBe(true)
    expect((error as DeadlockError).report.kind).toBe('self-wait')
    expect((error as DeadlockError).report.summary).toBe(`Task #${String(self.id)} "narcissus" waits for its own future`)
  })

  it('3. the seed starvation (maxWorkers 1): DeadlockError in the outer task; the inner task then runs', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const { outer, inner } = starve(cpu)
    const mainWait = outer.result()
    const error = await errorOf(outer)
    expect(isDeadlockError(error)).toBe(true)
    const report = (error as DeadlockError).report
    expect(report.kind).toBe('starvation')
    expect(report.summary).toBe('pool starvation in cpu (1/1 slots, all held by blocked tasks)')
    expect(report.executors.find((executor) => executor.role === 'core')?.name).toBe('cpu')
    expect(await within(inner().result(), 5_000, 'inner')).toBe(25)
    await expect(mainWait).rejects.toBe(error)
  })

  it('4. two parents starve a pool of two: reported once, when the second wait closes it; the other parent completes', T, async () => {
    detector = detectDeadlocks()
    const pair = pool(2, 'pair')
    const both = gate()
    let started = 0
    const parent = (name: string) =>
      async function (): Promise<string> {
        if (++started === 2) both.open()
        await both.promise
        const child = pair.submitWith({ name: `child of ${name}` }, () => name)
        return await child.result()
      }
    const t1 = pair.submitWith({ name: 'T1' }, parent('T1'))
    const t2 = pair.submitWith({ name: 'T2' }, parent('T2'))
    expect(await within(t1.result(), 5_000, 'T1')).toBe('T1')
    const error = await errorOf(t2)
    expect(isDeadlockError(error)).toBe(true)
    expect(watcher.reports).toHaveLength(1)
    expect(watcher.reports[0]?.victimTaskId).toBe(t2.id)
  })

  it('5. no detection while another slot holder is still working; the waiter completes', T, async () => {
    detector = detectDeadlocks()
    const pair = pool(2, 'pair')
    const t1 = pair.submit(async () => {
      await sleep(5)
      return await pair.submit(() => 'child').result()
    })
    const t2 = pair.submit(async () => {
      await sleep(100)
      return 'T2'
    })
    expect(await within(Promise.all([t1.result(), t2.result()]), 5_000, 'tasks')).toEqual(['child', 'T2'])
    expect(watcher.reports).toEqual([])
  })

  it('6. a ring of three is reported with three participants, in ring order from the victim', T, async () => {
    detector = detectDeadlocks()
    const ring = pool(3, 'ring')
    const go = gate()
    const futures: Record<string, Future> = {}
    const waitOn = (name: string) => async (): Promise<unknown> => {
      await go.promise
      return await must(futures[name], name).result()
    }
    futures.A = ring.submitWith({ name: 'A' }, waitOn('B'))
    futures.B = ring.submitWith({ name: 'B' }, waitOn('C'))
    futures.C = ring.submitWith({ name: 'C' }, waitOn('A'))
    await sleep(1)
    go.open()
    const error = await errorOf(futures.C)
    const report = (error as DeadlockError).report
    expect(report.kind).toBe('cycle')
    expect(report.tasks).toHaveLength(3)
    expect(report.chain.slice(0, 3).map((line) => /^Task #\d+ "(\w)"/.exec(line)?.[1])).toEqual(['C', 'A', 'B'])
    // the error travels round the ring
    expect(await errorOf(futures.B)).toBe(error)
    expect(await errorOf(futures.A)).toBe(error)
  })

  it('7. a cycle across two executors names both', T, async () => {
    detector = detectDeadlocks()
    const left = pool(2, 'left')
    const right = pool(2, 'right')
    const go = gate()
    const b1ref = new Later<Future>('b1')
    const a1 = left.submitWith({ name: 'a1' }, async () => {
      await go.promise
      return await b1ref.value.result()
    })
    const b1 = (b1ref.value = right.submitWith({ name: 'b1' }, async () => {
      await go.promise
      return await a1.result()
    }))
    await sleep(1)
    go.open()
    const report = ((await errorOf(b1)) as DeadlockError).report
    expect(report.summary).toBe('cycle of 2 tasks across left, right')
    expect(report.executors.map((executor) => executor.name)).toEqual(['left', 'right'])
  })

  it('8. cross-pool starvation: pool A is in the core, pool B is shown with its free capacity', T, async () => {
    detector = detectDeadlocks()
    const a = pool(1, 'A')
    const b = pool(4, 'B')
    const a1 = a.submitWith({ name: 'a1' }, async () => {
      const b1 = b.submitWith({ name: 'b1' }, async () => await a.submitWith({ name: 'a2' }, () => 'a2').result())
      return await b1.result()
    })
    const error = (await errorOf(a1)) as DeadlockError
    expect(error.report.kind).toBe('starvation')
    expect(error.report.executors.map((executor) => [executor.name, executor.role, executor.maxWorkers, executor.slots.length])).toEqual([
      ['A', 'core', 1, 1],
      ['B', 'other', 4, 1],
    ])
    expect(error.report.victimTaskId).not.toBe(a1.id) // b1's wait closed it
  })

  it('9. wait(ALL_COMPLETED) on a doomed and a healthy future is detected; FIRST_COMPLETED is not, and returns when the healthy one does', T, async () => {
    detector = detectDeadlocks()
    const idle = pool(2, 'idle')
    const release = gate()
    const healthy = idle.submit(async () => {
      await release.promise
      return 'h'
    })
    const cpu = pool(1, 'cpu')
    const all = cpu.submit(async () => {
      const doomed = cpu.submit(() => 'd')
      return await wait([doomed, healthy], { returnWhen: ALL_COMPLETED })
    })
    expect(isDeadlockError(await errorOf(all))).toBe(true)

    const cpu2 = pool(1, 'cpu2')
    const first = cpu2.submit(async () => {
      const doomed = cpu2.submit(() => 'd')
      const { done } = await wait([doomed, healthy], { returnWhen: FIRST_COMPLETED })
      return [...done].map((f) => f === healthy)
    })
    expect(await settledWithin(first, 50)).toBe('pending')
    expect(watcher.reports).toHaveLength(1)
    release.open()
    expect(await within(first.result(), 5_000, 'first')).toEqual([true])
  })

  it('10. asCompleted and FIRST_COMPLETED over futures that are all doomed are detected (an OR knot)', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const iterating = cpu.submit(async () => {
      const doomed = [cpu.submit(() => 1), cpu.submit(() => 2)]
      const seen: number[] = []
      for await (const f of asCompleted(doomed)) seen.push(await f.result())
      return seen
    })
    expect(isDeadlockError(await errorOf(iterating))).toBe(true)
    const cpu2 = pool(1, 'cpu2')
    const first = cpu2.submit(async () => wait([cpu2.submit(() => 1), cpu2.submit(() => 2)], { returnWhen: FIRST_COMPLETED }))
    expect(isDeadlockError(await errorOf(first))).toBe(true)
  })

  it('11. a wait with a timeout is never reported: TimeoutError, no deadlock event', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const outer = cpu.submit(async () => await cpu.submit(() => 'inner').result(50))
    expect(await errorOf(outer)).toBeInstanceOf(TimeoutError)
    expect(watcher.reports).toEqual([])
  })

  it('12. a cycle whose only way out is a timeout is not reported; waiting on a done future publishes no wait at all', T, async () => {
    detector = detectDeadlocks()
    const pair = pool(2, 'pair')
    const go = gate()
    const bref = new Later<Future<string>>('b')
    const a = pair.submit(async () => {
      await go.promise
      await bref.value.result(20).catch(() => undefined)
      return 'A'
    })
    const b = (bref.value = pair.submit(async () => {
      await go.promise
      return `B after ${await a.result()}`
    }))
    await sleep(1)
    go.open()
    expect(await within(b.result(), 5_000, 'b')).toBe('B after A')
    expect(watcher.reports).toEqual([])

    const waits: WaitStartEvent[] = []
    const onWait = (event: unknown): void => {
      waits.push(event as WaitStartEvent)
    }
    diagnosticsChannel.subscribe(channels.waitStart.name, onWait)
    try {
      expect(await pair.submit(async () => await a.result()).result()).toBe('A')
    } finally {
      diagnosticsChannel.unsubscribe(channels.waitStart.name, onWait)
    }
    expect(waits.filter((event) => event.futureIds.includes(a.id))).toEqual([])
  })

  it('13. waiting on a queued future of another pool with a free worker is never reported', T, async () => {
    detector = detectDeadlocks()
    const a = pool(1, 'A')
    const b = pool(2, 'B')
    const busy = gate()
    b.submit(async () => busy.promise) // one of B's two workers is busy
    const a1 = a.submit(async () => await b.submit(() => 'b').result())
    expect(await within(a1.result(), 5_000, 'a1')).toBe('b')
    busy.open()
    expect(watcher.reports).toEqual([])
  })

  it('14. a hand-made Future resolved by the main thread is never reported (unknown resolver)', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const handMade = new Future<string>({ name: 'resolved by main' })
    const running = cpu.submit(async () => await handMade.result())
    const queued = cpu.submit(() => 'queued')
    setTimeout(() => {
      handMade.setResult('done')
    }, 50)
    expect(await within(Promise.all([running.result(), queued.result()]), 5_000, 'tasks')).toEqual(['done', 'queued'])
    expect(watcher.reports).toEqual([])
  })

  it('15. the main thread awaiting the starved task is listed as a tail, not in the core', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const { outer } = starve(cpu)
    // the main thread waits before the deadlock forms
    const error = (await within(outer.result().catch((e: unknown) => e), 5_000, 'outer')) as DeadlockError
    expect(isDeadlockError(error)).toBe(true)
    const tail = error.report.waits.filter((w) => w.role === 'tail')
    expect(tail.map((w) => [w.taskId, w.futureIds])).toEqual([[null, [outer.id]]])
    expect(error.report.chain.at(-1)).toBe(
      `also waiting (not part of the deadlock): code outside any task (e.g. the main thread) waits for Future #${String(outer.id)} "wait_on_future"`,
    )
    expect(formatReport(error.report)).toContain('outside any task')
  })

  it('16. shutdown({ wait: true }) from a task of the same executor (adapted: the executor rejects the call itself; the detector reports kind shutdown-from-task); wait: false and another pool are fine', T, async () => {
    const reports: DeadlockReport[] = []
    detector = detectDeadlocks({ onDeadlock: (report) => reports.push(report) })
    const own = pool(2, 'own')
    const sibling = own.submit(async () => {
      await sleep(20)
      return 'sibling'
    })
    const closer = own.submitWith({ name: 'closer' }, async () => {
      await own.shutdown({ wait: true })
    })
    const error = await errorOf(closer)
    expect((error as Error).message).toContain('cannot join current thread')
    expect(() => own.submit(() => 1)).toThrow('cannot schedule new futures after shutdown')
    expect(await within(sibling.result(), 5_000, 'sibling')).toBe('sibling')
    expect(reports.map((report) => [report.kind, report.victimTaskId])).toEqual([['shutdown-from-task', closer.id]])
    expect(reports[0]?.summary).toContain('cannot join current thread')

    const own2 = pool(2, 'own2')
    const nowait = own2.submit(async () => {
      await own2.shutdown({ wait: false })
      return 'ok'
    })
    expect(await within(nowait.result(), 5_000, 'nowait')).toBe('ok')

    const first = pool(2, 'first')
    const other = pool(2, 'other')
    first.submit(async () => sleep(20))
    const outsider = other.submit(async () => {
      await first.shutdown({ wait: true })
      return 'joined'
    })
    expect(await within(outsider.result(), 5_000, 'outsider')).toBe('joined')
    expect(reports).toHaveLength(1)
  })

  it('18. adapted: the API has no synchronous wait (no resultSync), so an event-loop block cannot be written; the main thread awaiting a queued future of a full pool is never reported', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    cpu.submit(async () => sleep(20))
    const queued = cpu.submit(() => 'queued')
    expect(await within(queued.result(), 5_000, 'queued')).toBe('queued')
    expect(watcher.reports).toEqual([])
  })

  it('19. adapted: an async wait instead of Atomics.wait; starvation is detected and the pool stays usable', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const { outer, inner } = starve(cpu)
    expect(isDeadlockError(await errorOf(outer))).toBe(true)
    expect(await within(inner().result(), 5_000, 'inner')).toBe(25)
    expect(await within(cpu.submit(() => 'after').result(), 5_000, 'after')).toBe('after')
  })

  it('21. cancelled futures are not deadlocks: waiting on one returns CancelledError at once; cancelFutures rejects the main wait', T, async () => {
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const release = gate()
    const cancelledRef = new Later<Future<string>>('cancelledOne')
    const busy = cpu.submit(async () => {
      await release.promise
      return await cancelledRef.value.result().catch((error: unknown) => error)
    })
    const cancelledOne = (cancelledRef.value = cpu.submit(() => 'never'))
    const other = cpu.submit(() => 'never either')
    expect(cancelledOne.cancel()).toBe(true)
    release.open()
    expect(await within(busy.result(), 5_000, 'busy')).toBeInstanceOf(CancelledError)
    const cpu2 = pool(1, 'cpu2')
    const hold = gate()
    cpu2.submit(async () => hold.promise)
    const queued = cpu2.submit(() => 'queued')
    const mainWait = queued.result()
    const shutdown = cpu2.shutdown({ cancelFutures: true })
    await expect(within(mainWait, 5_000, 'main wait')).rejects.toBeInstanceOf(CancelledError)
    hold.open()
    await within(shutdown, 5_000, 'shutdown')
    expect(other.cancelled() || other.done()).toBe(true)
    expect(watcher.reports).toEqual([])
  })

  it("22. 'compensate': the seed starvation completes on a lent worker, given back afterwards", T, async () => {
    detector = detectDeadlocks({ onDeadlock: 'compensate' })
    const cpu = pool(1, 'cpu')
    const { outer } = starve(cpu)
    expect(await within(outer.result(), 5_000, 'outer')).toBe(25)
    expect(watcher.reports.map((report) => [report.kind, report.action])).toEqual([['starvation', 'compensate']])
    expect(detector.snapshot().executors.find((executor) => executor.name === 'cpu')?.lent).toBe(0)
  })

  it("22. 'compensate' with the lending cap reached throws starvation and says why (AsyncPoolExecutor lends at most 32)", T, async () => {
    detector = detectDeadlocks({ onDeadlock: 'compensate' })
    const cpu = pool(1, 'deep')
    // Each level waits on a child queued behind it: level n needs n lent workers.
    const nest = async (depth: number): Promise<number> =>
      depth === 0 ? 0 : 1 + (await cpu.submit(nest, depth - 1).result())
    const root = cpu.submit(nest, 40)
    const error = await errorOf(root)
    expect(isDeadlockError(error)).toBe(true)
    const report = (error as DeadlockError).report
    expect(report.kind).toBe('starvation')
    expect(report.action).toBe('throw')
    expect(report.note).toBe('deep could not lend an extra worker (not supported by this executor, or its cap is reached)')
    // 32 loans, then the 33rd level throws. (Its queued child then runs on the freed slot and
    // borrows again while the rest of the chain unwinds; those later loans are fine.)
    expect(watcher.reports.slice(0, 33).map((r) => r.action)).toEqual([...Array<string>(32).fill('compensate'), 'throw'])
  })

  it('23. scaled: two pools of 4, 2,000 fan-out/fan-in tasks with random 0-2 ms delays, twice: no deadlock event, all complete', { timeout: 30_000 }, async () => {
    detector = detectDeadlocks()
    const parents = pool(4, 'parents')
    const children = pool(4, 'children')
    for (let round = 0; round < 2; round++) {
      const results = Array.from({ length: 100 }, (_, i) =>
        parents.submit(async () => {
          const kids = Array.from({ length: 20 }, (_, j) =>
            children.submit(async () => {
              await sleep(Math.floor(Math.random() * 3))
              return i * 20 + j
            }),
          )
          const { done } = await wait(kids)
          return [...done].reduce((sum, f) => sum + (f.state === 'FINISHED' ? 1 : 0), 0)
        }),
      )
      const counts = await within(Promise.all(results.map((f) => f.result())), 20_000, 'fan-out')
      expect(counts.reduce((a, b) => a + b, 0)).toBe(2_000)
    }
    expect(watcher.reports).toEqual([])
  })

  it('24. adapted (no durability probe): Promise.race with a timer is an escape hatch the detector cannot see; throw mode reports it, warn mode lets the timer win', T, async () => {
    const run = async (): Promise<unknown> => {
      const cpu = pool(1, 'race')
      return await cpu
        .submit(async () => {
          const inner = cpu.submit(() => 'inner')
          return await Promise.race([inner.result(), sleep(100).then(() => 'timer')])
        })
        .result()
        .catch((error: unknown) => error)
    }
    detector = detectDeadlocks()
    expect(isDeadlockError(await within(run(), 5_000, 'throw mode'))).toBe(true) // the documented false positive
    detector.stop()
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning)
    }
    process.on('warning', onWarning)
    try {
      detector = detectDeadlocks({ onDeadlock: 'warn' })
      expect(await within(run(), 5_000, 'warn mode')).toBe('timer')
      expect(warnings.map((warning) => warning.name)).toEqual(['DeadlockWarning'])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('25. reports: text, DOT and Mermaid declare every node of every edge; JSON round-trips; events come in order', T, async () => {
    const recorded = recordEvents()
    detector = detectDeadlocks()
    const cpu = pool(1, 'cpu')
    const { outer, inner } = starve(cpu)
    const error = (await errorOf(outer)) as DeadlockError
    await within(inner().result(), 5_000, 'inner')
    recorded.stop()
    const report = error.report
    const text = formatReport(report)
    expect(text.split('\n')[0]).toBe('deadlock detected: pool starvation in cpu (1/1 slots, all held by blocked tasks)')
    expect(text).toContain('Resolution: DeadlockError raised in the wait of')
    expect(text).toMatch(/waiting at:\n {4}at wait_on_future/)
    expect(text).toContain('cpu (async): maxWorkers 1, running 1 (blocked 1), queued 1')
    const dot = formatReport(report, 'dot')
    const mermaid = formatReport(report, 'mermaid')
    expect(dot.startsWith('digraph deadlock {')).toBe(true)
    expect(mermaid.startsWith('flowchart LR')).toBe(true)
    for (const edge of report.edges) {
      for (const node of [edge.from, edge.to]) {
        expect(dot).toMatch(new RegExp(`^  ${node} \\[`, 'm'))
        expect(mermaid).toMatch(new RegExp(`^  ${node}[[(]`, 'm'))
      }
    }
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(report)
    expect(structuredClone(report)).toEqual(report)

    const ours = recorded.events.filter(({ channel, event }) => {
      if (channel.startsWith('wait:')) return event.waitId === report.victimWaitId
      return channel === 'deadlock' || event.futureId === outer.id || event.futureId === inner().id
    })
    const sequence = ours.map(({ channel, event }) =>
      channel === 'wait:end' ? `wait:end(${String(event.reason)})` : channel === 'future:start' || channel === 'future:submit' ? `${channel}#${event.futureId === outer.id ? 'outer' : 'inner'}` : channel,
    )
    expect(sequence.slice(0, 6)).toEqual([
      'future:submit#outer',
      'future:start#outer',
      'future:submit#inner',
      'wait:start',
      'deadlock',
      'wait:end(rejected)',
    ])
  })

  it('25. without a detector the seed starvation hangs (Python parity), until the test cancels the inner future', T, async () => {
    const cpu = pool(1, 'cpu')
    const { outer, inner } = starve(cpu)
    expect(await settledWithin(outer, 200)).toBe('pending')
    expect(inner().cancel()).toBe(true)
    expect(await errorOf(outer)).toBeInstanceOf(CancelledError)
  })
})

describe('waitSites: false', () => {
  it('reports still name the wait that closed the deadlock and where it happened; the others say why they have no site', T, async () => {
    detector = detectDeadlocks({ waitSites: false })
    const { a, b } = seedCycle(pool(2, 'io'), true)
    const error = await errorOf(b)
    expect(error).toBeInstanceOf(DeadlockError)
    const report = (error as DeadlockError).report
    expect(report.kind).toBe('cycle')
    const victim = must(report.waits.find((w) => w.victim), 'the victim wait')
    const other = must(report.waits.find((w) => w.taskId === a.id), "wait_on_b's wait")
    expect(victim.stack).toContain('wait_on_a')
    expect(other.stack).toBe('    (wait site not recorded: detectDeadlocks({ waitSites: false }))')
  })

  it('is checked like the other options', () => {
    expect(() => detectDeadlocks({ waitSites: 'no' as never })).toThrow(new TypeError('waitSites must be true or false, got "no"'))
    expect(() => detectDeadlocks({ waitsites: false } as never)).toThrow(
      new TypeError('detectDeadlocks: unknown option "waitsites" (the options are onDeadlock and waitSites)'),
    )
  })
})
