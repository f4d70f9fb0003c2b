/**
 * The conformance tests of futures passed as arguments (dependencies): the call waits for them,
 * PENDING and holding no worker, then runs with their values; a failed or cancelled dependency
 * fails it with `DependencyError` without running it.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import { CancelledError, DependencyError, Future, QueueFullError, wait } from '../index.js'
import { rejection, until } from './harness.js'
import type { Suite } from './harness.js'
import { add, divide, identity, nestedDependency, pow, recordTask, waitForLatch } from './tasks.js'

/** A hand-made future, settled by the test: a dependency from no executor at all. */
function settleLater<T>(): { future: Future<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  const future = new Future<T>({ name: 'hand-made' })
  return {
    future,
    resolve: (value) => {
      future.setRunningOrNotifyCancel()
      future.setResult(value)
    },
    reject: (error) => {
      future.setRunningOrNotifyCancel()
      future.setException(error)
    },
  }
}

/** @internal */
export function describeDependencyContract(suite: Suite): void {
  const { timeout } = suite

  describe('futures as arguments (dependencies)', () => {
    it("waits for a future argument and passes its value; the executor's own futures work too", { timeout }, async () => {
      const ex = await suite.make(2)
      const gate = suite.latch()
      const a = ex.submit(waitForLatch, gate.path, 5) as Future<number>
      const b = ex.submitWith({ name: 'square' }, pow, a, 2)
      const c = ex.submit(add, b, a)
      expect(b).toBeInstanceOf(Future)
      expect(b.name).toBe('square')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect([b.state, c.state]).toEqual(['PENDING', 'PENDING'])
      gate.release()
      expect(await c).toBe(30)
      expect(await b).toBe(25)
    })

    it('a waiting call holds no worker: independent work runs meanwhile, on one worker', { timeout }, async () => {
      const ex = await suite.make(1)
      const later = settleLater<number>()
      const dependent = ex.submit(pow, later.future, 2)
      expect(await ex.submit(pow, 2, 3)).toBe(8)
      expect(await ex.submit(identity, 'also')).toBe('also')
      expect(dependent.state).toBe('PENDING')
      expect(ex.stats()).toMatchObject({ running: 0, queued: 1 })
      later.resolve(4)
      expect(await dependent).toBe(16)
    })

    it('works for nested work too: inside a task, a future of currentTask().executor as an argument', { timeout }, async () => {
      const ex = await suite.make(2)
      expect(await ex.submit(nestedDependency, 4)).toBe(41)
    })

    it('takes done futures, the same future twice, and plain arguments around them', { timeout }, async () => {
      const ex = await suite.make(2)
      const done = ex.submit(pow, 3, 2)
      await done
      expect(await ex.submit(add, done, done)).toBe(18)
      expect(await ex.submit(identity, ex.submit(identity, { deep: [1, 2n] }))).toEqual({ deep: [1, 2n] })
    })

    it("fails with DependencyError (cause: the dependency's error) without running, when a dependency fails", { timeout }, async () => {
      const ex = await suite.make(2)
      const record = suite.recorder()
      const failing = ex.submit(divide, 1, 0)
      const dependent = ex.submitWith({ name: 'after' }, recordTask, record.path, failing)
      const error = (await rejection(dependent.result())) as DependencyError
      expect(error).toBeInstanceOf(DependencyError)
      expect(error.code).toBe('ERR_DEPENDENCY_FAILED')
      expect(error.dependencyId).toBe(failing.id)
      expect(error.cause).toBeInstanceOf(RangeError)
      expect((error.cause as Error).message).toBe('division by zero')
      expect(error.message).toContain(`future #${String(failing.id)}`)
      expect(error.message).toContain('"after"')
      expect(dependent.toString()).toContain('finished raised DependencyError')
      expect(record.lines()).toEqual([])
      expect(ex.stats()).toMatchObject({ failed: 2 })
    })

    it('fails with DependencyError (cause: CancelledError) when a dependency is cancelled', { timeout }, async () => {
      const ex = await suite.make(1)
      const record = suite.recorder()
      const gate = suite.latch()
      const blocker = ex.submit(waitForLatch, gate.path, 'blocker')
      const queued = ex.submit(pow, 2, 2)
      const dependent = ex.submit(recordTask, record.path, queued)
      expect(queued.cancel()).toBe(true)
      const error = (await rejection(dependent.result())) as DependencyError
      expect(error).toBeInstanceOf(DependencyError)
      expect(error.cause).toBeInstanceOf(CancelledError)
      gate.release()
      await blocker
      expect(record.lines()).toEqual([])
    })

    it('is cancellable while it waits (cancel() and an aborted signal), and then never runs', { timeout }, async () => {
      const ex = await suite.make(2)
      const record = suite.recorder()
      const later = settleLater<string>()
      const byCancel = ex.submit(recordTask, record.path, later.future)
      const controller = new AbortController()
      const bySignal = ex.submitWith({ signal: controller.signal }, recordTask, record.path, later.future)
      expect(byCancel.cancel()).toBe(true)
      expect(byCancel.state).toBe('CANCELLED_AND_NOTIFIED')
      controller.abort()
      expect(bySignal.cancelled()).toBe(true)
      const { done } = await wait([byCancel, bySignal], { timeout: 5000 })
      expect(done.size).toBe(2)
      expect(await rejection(byCancel.result())).toBeInstanceOf(CancelledError)
      later.resolve('too late')
      await ex.submit(pow, 1, 1)
      expect(record.lines()).toEqual([])
      expect(ex.stats()).toMatchObject({ cancelled: 2, queued: 0 })
    })

    it('counts against maxQueue while it waits', { timeout }, async () => {
      const ex = await suite.make(1, { maxQueue: 1 })
      const later = settleLater<number>()
      const first = ex.submit(pow, later.future, 1)
      const second = ex.submit(pow, later.future, 2)
      expect(() => ex.submit(pow, later.future, 3)).toThrow(QueueFullError)
      later.resolve(3)
      expect(await Promise.all([first, second])).toEqual([3, 9])
    })

    it('shutdown() waits for the calls waiting on dependencies and runs them; cancelFutures cancels them', { timeout }, async () => {
      const ex = await suite.make(1)
      const later = settleLater<number>()
      const dependent = ex.submit(pow, later.future, 2)
      const stopping = ex.shutdown({ wait: true })
      expect(() => ex.submit(pow, 2, 2)).toThrow('cannot schedule new futures after shutdown')
      expect(() => ex.submit(pow, later.future, 2)).toThrow('cannot schedule new futures after shutdown')
      later.resolve(7)
      await stopping
      expect(await dependent).toBe(49)

      const other = await suite.make(1)
      const never = settleLater<number>()
      const dropped = other.submit(pow, never.future, 2)
      await other.shutdown({ cancelFutures: true })
      expect(dropped.cancelled()).toBe(true)
      await until(() => dropped.state === 'CANCELLED_AND_NOTIFIED', 'the cancel to be acknowledged')
    })
  })
}
