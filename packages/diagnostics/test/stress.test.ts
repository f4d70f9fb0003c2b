// No false alarms under load: thousands of random nested fork-join tasks on pools that can
// always finish, the detector on. Any DeadlockError (or report) fails the test.
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future, asCompleted, wait } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'
import type { DeadlockDetector } from '@x/diagnostics'
import { must, sleep, watchDeadlocks, within } from './helpers/observe.js'
import { random } from './helpers/random.js'

let detector: DeadlockDetector | undefined
afterEach(() => {
  detector?.stop()
  detector = undefined
})


/** Joins children in one of the ways a program can: result() each, wait(), asCompleted, a hand-made future. */
async function join(children: Future<number>[], how: number): Promise<number> {
  switch (how) {
    case 0:
      return (await Promise.all(children.map((child) => child.result()))).reduce((a, b) => a + b, 0)
    case 1: {
      const { done } = await wait(children)
      let sum = 0
      for (const child of done) sum += await child.result()
      return sum
    }
    case 2: {
      let sum = 0
      for await (const child of asCompleted(children)) sum += await child.result()
      return sum
    }
    default: {
      // a hand-made future fed by done-callbacks: a resolver the detector does not know
      const all = new Future<number>()
      let left = children.length
      let sum = 0
      if (left === 0) all.setResult(0)
      for (const child of children) {
        child.addDoneCallback((f) => {
          void f.result().then((value) => {
            sum += value
            if (--left === 0) all.setResult(sum)
          })
        })
      }
      return await all.result()
    }
  }
}

describe('stress: random nested fork-join, detector on', () => {
  it('one pool per level (small, saturated pools): over 5,000 tasks, no deadlock reported', { timeout: 30_000 }, async () => {
    detector = detectDeadlocks()
    const watcher = watchDeadlocks()
    const next = random(42)
    const depth = 5
    const levels = Array.from({ length: depth + 1 }, (_, level) => new AsyncPoolExecutor({ maxWorkers: 2 + (level % 3), name: `level ${String(level)}` }))
    let tasks = 0
    const node = (level: number): Future<number> => {
      tasks++
      const fanOut = level === depth ? 0 : Math.floor(next() * 4)
      const how = Math.floor(next() * 4)
      const delay = next() < 0.3 ? 1 : 0
      return must(levels[level], `level ${String(level)}`).submit(async () => {
        if (delay > 0) await sleep(delay)
        const children = Array.from({ length: fanOut }, () => node(level + 1))
        return 1 + (await join(children, how))
      })
    }
    try {
      const roots = Array.from({ length: 400 }, () => node(0))
      const counts = await within(Promise.all(roots.map((root) => root.result())), 25_000, 'roots')
      expect(counts.reduce((a, b) => a + b, 0)).toBe(tasks)
      expect(tasks).toBeGreaterThan(5_000)
      expect(watcher.reports).toEqual([])
      // everything finished: the graph holds nothing (no task, no wait, no slot) any more
      const after = detector.snapshot()
      expect([after.tasks, after.waits, after.executors.flatMap((executor) => executor.slots)]).toEqual([[], [], []])
    } finally {
      watcher.stop()
      await Promise.all(levels.map((level) => level.shutdown()))
    }
  })

  it('one pool large enough for every task: nested waits inside the same pool, no deadlock reported', { timeout: 30_000 }, async () => {
    detector = detectDeadlocks()
    const watcher = watchDeadlocks()
    const next = random(7)
    const budget = 4_000
    const pool = new AsyncPoolExecutor({ maxWorkers: budget, name: 'wide' })
    let tasks = 0
    const node = (level: number): Future<number> => {
      tasks++
      const fanOut = level >= 7 || tasks > budget - 10 ? 0 : Math.floor(next() * 3.3)
      const how = Math.floor(next() * 4)
      return pool.submit(async () => {
        if (next() < 0.2) await sleep(0)
        const children = Array.from({ length: fanOut }, () => node(level + 1))
        return 1 + (await join(children, how))
      })
    }
    try {
      const roots = Array.from({ length: 150 }, () => node(0))
      const counts = await within(Promise.all(roots.map((root) => root.result())), 25_000, 'roots')
      expect(counts.reduce((a, b) => a + b, 0)).toBe(tasks)
      expect(tasks).toBeGreaterThan(2_000)
      expect(tasks).toBeLessThanOrEqual(budget)
      expect(watcher.reports).toEqual([])
      const after = detector.snapshot()
      expect([after.tasks, after.waits, after.executors.flatMap((executor) => executor.slots)]).toEqual([[], [], []])
    } finally {
      watcher.stop()
      await pool.shutdown()
    }
  })
})
