/**
 * The conformance tests of `submit`, futures and cancellation, `wait` and `asCompleted`.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ALL_COMPLETED,
  CancelledError,
  Executor,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  asCompleted,
  currentTask,
  wait,
} from '../index.js'
import { rejection, until } from './harness.js'
import type { Latch, Suite } from './harness.js'
import { add, describeContext, divide, identity, nestedSum, pow, throwRich, throwValue, waitForAbort, waitForLatch } from './tasks.js'

/** @internal */
export function describeCallContract(suite: Suite): void {
  const { timeout } = suite
  const make = (maxWorkers: number): Promise<Executor> => suite.make(maxWorkers)
  const latch = (): Latch => suite.latch()
  describe('submit', () => {
    it('returns a Future that resolves to the result', { timeout }, async () => {
      const ex = await make(2)
      expect(ex).toBeInstanceOf(Executor)
      const f = ex.submit(pow, 2, 8)
      expect(f).toBeInstanceOf(Future)
      expect(await f).toBe(256)
      expect(await f.result()).toBe(256)
      expect(f.state).toBe('FINISHED')
      expect(await f.exception()).toBeUndefined()
    })

    it('passes arguments unchanged', { timeout }, async () => {
      const ex = await make(2)
      const value = {
        list: [1, 'two', null],
        nested: { deep: true },
        big: 2n ** 70n,
        map: new Map([['k', 1]]),
        set: new Set([1, 2]),
        date: new Date(0),
        missing: undefined,
      }
      expect(await ex.submit(identity, value)).toEqual(value)
      expect(await ex.submit(add, 20, 22)).toBe(42)
    })

    it("rejects with the task's error (class, message, code, own properties, cause) and stays usable", { timeout }, async () => {
      const ex = await make(2)
      const error = (await rejection(ex.submit(throwRich).result())) as TypeError & { code: string; detail: unknown }
      expect(error).toBeInstanceOf(TypeError)
      expect(error.message).toBe('bad input')
      expect(error.code).toBe('E_BAD')
      expect(error.detail).toEqual({ n: 7 })
      expect(error.cause).toBeInstanceOf(RangeError)
      expect((error.cause as Error).message).toBe('inner cause')
      expect(error.stack).toContain('throwRich')
      expect(await ex.submit(pow, 7, 2)).toBe(49)
    })

    it('treats falsy thrown values as failures', { timeout }, async () => {
      const ex = await make(2)
      for (const [kind, value] of [['zero', 0], ['empty', ''], ['null', null], ['undefined', undefined]] as const) {
        const f = ex.submit(throwValue, kind)
        expect(await rejection(f.result())).toBe(value)
        expect(f.toString()).toContain('finished raised')
      }
    })

    it('runs a task at once while the pool has room, even behind a busy worker whose callable was quick so far', { timeout }, async () => {
      const ex = await make(3)
      const open = latch()
      open.release()
      // one at a time: a pool that starts workers on demand has one, and has learned the call is quick
      for (let i = 0; i < 30; i++) expect(await ex.submit(waitForLatch, open.path, i)).toBe(i)
      const [l1, l2] = [latch(), latch()]
      const f1 = ex.submit(waitForLatch, l1.path, 1)
      await until(() => f1.running(), 'the first task to run')
      // f1 is released only after f2 finishes: were f2 sent to wait behind f1, neither would end
      const f2 = ex.submit(waitForLatch, l2.path, 2)
      l2.release()
      try {
        expect(await f2.result(timeout / 2)).toBe(2)
        expect(f1.running()).toBe(true)
      } finally {
        l1.release() // (on a failure too: else shutting the executor down would wait for f1 forever)
      }
      expect(await f1).toBe(1)
    })

    it('refuses something that is not a function with a TypeError', { timeout }, async () => {
      const ex = await make(1)
      expect(() => ex.submit(42 as unknown as () => void)).toThrow(TypeError)
    })

    it('refuses submit after shutdown, and a second shutdown is harmless', { timeout }, async () => {
      const ex = await make(1)
      await ex.shutdown()
      expect(() => ex.submit(pow, 2, 2)).toThrow('cannot schedule new futures after shutdown')
      await ex.shutdown()
    })
  })

  describe('futures and cancellation', () => {
    it('cancel() works only while PENDING; a cancelled queued future is notified at once', { timeout }, async () => {
      const ex = await make(1)
      const gate = latch()
      const running = ex.submit(waitForLatch, gate.path, 'first')
      const queued = ex.submit(pow, 2, 3)
      await until(() => running.running(), 'the first task to start')
      expect(running.cancel()).toBe(false)
      expect(queued.cancel()).toBe(true)
      expect(queued.cancelled()).toBe(true)
      expect(await rejection(queued.result())).toBeInstanceOf(CancelledError)
      const { done } = await wait([queued], { timeout: 5000 })
      expect(done.has(queued)).toBe(true)
      expect(queued.state).toBe('CANCELLED_AND_NOTIFIED')
      gate.release()
      expect(await running).toBe('first')
    })

    it('an aborted signal cancels a pending future and aborts a running task', { timeout }, async () => {
      const ex = await make(1)
      const started = latch()
      const runningCtl = new AbortController()
      const running = ex.submitWith({ signal: runningCtl.signal, name: 'aborter' }, waitForAbort, started.path)
      const queuedCtl = new AbortController()
      const queued = ex.submitWith({ signal: queuedCtl.signal }, pow, 2, 4)
      await until(() => existsSync(started.path), 'the task to start')
      queuedCtl.abort()
      expect(queued.cancelled()).toBe(true)
      runningCtl.abort('stop now')
      expect(await running).toBe('aborted: stop now')
    })

    it('currentTask() describes the task and its executor takes nested work', { timeout }, async () => {
      const ex = await make(2)
      const f = ex.submitWith({ name: 'ctx' }, describeContext)
      expect(await f).toEqual({ id: f.id, name: 'ctx', hasExecutor: true })
      expect(await ex.submit(nestedSum, 4)).toBe(41)
      expect(currentTask()).toBeUndefined()
    })

    it('a failed future that nobody reads raises no unhandledRejection', { timeout }, async () => {
      const ex = await make(2)
      const seen: unknown[] = []
      const onUnhandled = (reason: unknown): void => {
        seen.push(reason)
      }
      process.on('unhandledRejection', onUnhandled)
      try {
        const fs = [ex.submit(throwRich), ex.submit(throwValue, 'zero')]
        await wait(fs)
        await new Promise((resolve) => setTimeout(resolve, 50))
        expect(seen).toEqual([])
      } finally {
        process.off('unhandledRejection', onUnhandled)
      }
    })
  })

  describe('wait and asCompleted with executor futures', () => {
    it('FIRST_COMPLETED returns with the finished future and leaves the blocked one', { timeout }, async () => {
      const ex = await make(2)
      const gate = latch()
      const blocked = ex.submit(waitForLatch, gate.path)
      const fast = ex.submit(pow, 21, 2)
      const { done, notDone } = await wait([blocked, fast], { returnWhen: FIRST_COMPLETED })
      expect(done.has(fast)).toBe(true)
      expect(notDone.has(blocked)).toBe(true)
      gate.release()
    })

    it('FIRST_EXCEPTION returns on the first failure', { timeout }, async () => {
      const ex = await make(3)
      const gate = latch()
      const ok = ex.submit(pow, 2, 1)
      await ok
      const bad = ex.submit(divide, 21, 0)
      const blocked = ex.submit(waitForLatch, gate.path)
      const { done, notDone } = await wait([ok, bad, blocked], { returnWhen: FIRST_EXCEPTION })
      expect([...done].sort((a, b) => a.id - b.id)).toEqual([ok, bad])
      expect([...notDone]).toEqual([blocked])
      gate.release()
    })

    it('ALL_COMPLETED with a timeout returns what is done', { timeout }, async () => {
      const ex = await make(2)
      const gate = latch()
      const blocked = ex.submit(waitForLatch, gate.path)
      const a = ex.submit(divide, 2, 0)
      const b = ex.submit(pow, 2, 21)
      await Promise.allSettled([a.result(), b.result()])
      const { done, notDone } = await wait([a, b, blocked], { timeout: 50, returnWhen: ALL_COMPLETED })
      expect(done).toEqual(new Set([a, b]))
      expect(notDone).toEqual(new Set([blocked]))
      gate.release()
    })

    it('100 tasks released together are all seen by wait()', { timeout }, async () => {
      const ex = await make(4)
      const gate = latch()
      const fs = Array.from({ length: 100 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
      setTimeout(() => {
        gate.release()
      }, 20)
      const { done, notDone } = await wait(fs)
      expect(done.size).toBe(100)
      expect(notDone.size).toBe(0)
    })

    it('asCompleted yields the futures themselves, done ones first, then in completion order', { timeout }, async () => {
      const ex = await make(3)
      const [l1, l2, l3] = [latch(), latch(), latch()]
      const already = ex.submit(pow, 2, 2)
      await already
      const f1 = ex.submit(waitForLatch, l1.path, 1)
      const f2 = ex.submit(waitForLatch, l2.path, 2)
      const f3 = ex.submit(waitForLatch, l3.path, 3)
      const order: unknown[] = []
      const iterating = (async () => {
        for await (const f of asCompleted<unknown>([f3, already, f1, f2, f1])) {
          expect(f).toBeInstanceOf(Future)
          order.push(f)
          if (f === already) l2.release()
          if (f === f2) l1.release()
          if (f === f1) l3.release()
        }
      })()
      await iterating
      expect(order).toEqual([already, f2, f1, f3])
    })

    it('asCompleted throws TimeoutError "N (of M) futures unfinished"', { timeout }, async () => {
      const ex = await make(2)
      const gate = latch()
      const done = ex.submit(pow, 3, 3)
      await done
      const blocked = ex.submit(waitForLatch, gate.path)
      const seen: unknown[] = []
      const error = await rejection(
        (async () => {
          for await (const f of asCompleted<unknown>([done, blocked], { timeout: 30 })) seen.push(f)
        })(),
      )
      expect(seen).toEqual([done])
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as Error).message).toBe('1 (of 2) futures unfinished')
      gate.release()
    })
  })

}
