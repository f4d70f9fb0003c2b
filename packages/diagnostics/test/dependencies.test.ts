// Futures passed as arguments (dependencies, @x/future): a call waiting for them holds no worker,
// so the detector must never report those waits, and the seed's starvation example, rewritten
// with a dependency instead of a wait inside the task, completes with the detector on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future } from '@x/future'
import { detectDeadlocks, isDeadlockError } from '@x/diagnostics'
import type { DeadlockDetector } from '@x/diagnostics'
import { sleep, watchDeadlocks, within } from './helpers/observe.js'

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
  detector = detectDeadlocks({ onDeadlock: 'throw' })
})

afterEach(async () => {
  watcher.stop()
  detector?.stop()
  detector = undefined
  await within(Promise.all(pools.splice(0).map((executor) => executor.shutdown({ cancelFutures: true }))), 5_000, 'shutdown')
})

const T = { timeout: 10_000 }

describe('dependencies and the deadlock detector', () => {
  it("the seed's starvation example with a dependency instead of a wait completes on one worker, unreported", T, async () => {
    const cpu = pool(1, 'cpu')
    const outer = cpu.submit(async (x: number) => (await sleep(10), x), 5)
    const inner = cpu.submit((x: number) => x * x, outer) // waits for outer without holding the worker
    expect(await within(inner.result(), 5_000, 'inner')).toBe(25)
    expect(watcher.reports).toEqual([])
  })

  it('chains and diamonds of dependencies on one worker, awaited from main and from tasks of another pool, are never reported', T, async () => {
    const cpu = pool(1, 'cpu')
    const io = pool(2, 'io')
    const root = cpu.submit(async () => (await sleep(5), 1))
    const left = cpu.submit((x: number) => x + 1, root)
    const right = cpu.submit((x: number) => x * 10, root)
    const joined = cpu.submit((a: number, b: number) => a + b, left, right)
    const hand = new Future<number>()
    const late = cpu.submit((x: number, y: number) => x + y, joined, hand)
    // a task of another pool waits on a call that waits on its dependencies
    const watcherTask = io.submit(async () => await late.result())
    const mainWait = late.result()
    await sleep(20)
    hand.setRunningOrNotifyCancel()
    hand.setResult(100)
    expect(await within(mainWait, 5_000, 'late')).toBe(112)
    expect(await within(watcherTask.result(), 5_000, 'watcher task')).toBe(112)
    expect(watcher.reports).toEqual([])
  })

  it('a task holding the only worker while it waits on a call that needs that worker is still a deadlock, and is reported', T, async () => {
    const cpu = pool(1, 'cpu')
    const slow = new Future<number>()
    const outer = cpu.submit(async () => {
      const dependent = cpu.submit((x: number) => x * 2, slow) // needs cpu's only worker, which outer holds
      return await dependent.result()
    })
    await sleep(10)
    slow.setRunningOrNotifyCancel()
    slow.setResult(21)
    const error = await within(outer.exception(), 5_000, 'outer')
    expect(isDeadlockError(error)).toBe(true)
    expect(watcher.reports.map((report) => report.kind)).toEqual(['starvation'])
  })
})
