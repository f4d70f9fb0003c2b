// submitWith({ signal }) on a running task: the task sees currentTask().signal abort; one that
// does not stop within abortGracePeriod has its child ended and its future rejected with the
// abort reason, while the pool replaces the child and loses nothing queued.
import { afterAll, describe, expect, it } from 'vitest'
import { ProcessPoolExecutor } from '@x/process-pool'
import { alive, cleanupLatches, latch, rejection, t, until } from './helpers.js'

afterAll(() => {
  cleanupLatches()
})

/** Runs `body` with a pool, then ends it and checks no child outlives it. */
async function withPool(options: ConstructorParameters<typeof ProcessPoolExecutor>[0], body: (pool: ProcessPoolExecutor) => Promise<void>): Promise<void> {
  const pool = new ProcessPoolExecutor(options)
  const seen = new Set<number>()
  try {
    await body(pool)
  } finally {
    for (const pid of pool.pids) seen.add(pid)
    await pool.killWorkers()
  }
  expect([...seen].filter(alive)).toEqual([])
}

describe('abortGracePeriod', () => {
  it('a task that ignores its signal: its child is ended, its future rejects with the reason, the next task runs on a new child', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 50 }, async (pool) => {
      const before = (await pool.submit(t('pid'))) as number
      const controller = new AbortController()
      const gate = latch() // never released: the task would wait for ever
      const stuck = pool.submitWith({ signal: controller.signal }, t('blockUntil'), gate.path, 'never')
      await until(() => gate.started() === 1, 'the task to start')
      const reason = new RangeError('user left')
      controller.abort(reason)
      expect(await rejection(stuck)).toBe(reason)
      expect(alive(before)).toBe(false)
      expect(() => process.kill(before, 0)).toThrow()
      const after = await pool.submit(t('pid'))
      expect(after).not.toBe(before)
      expect(await pool.submit(t('square'), 7)).toBe(49)
    })
  })

  it('also ends a child whose task blocks its event loop (it never sees the signal)', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 50 }, async (pool) => {
      const before = (await pool.submit(t('pid'))) as number
      const controller = new AbortController()
      const spinning = pool.submitWith({ signal: controller.signal }, t('spin'))
      await until(() => spinning.running(), 'the task to be sent')
      controller.abort()
      const error = await rejection(spinning)
      expect(error).toBe(controller.signal.reason)
      expect((error as Error).name).toBe('AbortError')
      expect(alive(before)).toBe(false)
      expect(await pool.submit(t('pid'))).not.toBe(before)
    })
  })

  it('a task that honours its signal settles as it chooses, and its child is not ended', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 50 }, async (pool) => {
      const before = (await pool.submit(t('pid'))) as number
      const controller = new AbortController()
      const polite = pool.submitWith({ signal: controller.signal }, t('waitAbort'))
      await until(() => polite.running(), 'the task to be sent')
      controller.abort('stop please')
      expect(await polite).toBe('aborted: stop please')
      // well past the grace period: the timer was cleared with the result
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(alive(before)).toBe(true)
      expect(pool.pids).toEqual([before])
      expect(await pool.submit(t('pid'))).toBe(before)
    })
  })

  it('tasks sent ahead behind the ended one on the same child are not lost: they run on the next child', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 50 }, async (pool) => {
      // Teach the pool that maybeBlock is quick, so it sends several to the child at once.
      for (let i = 0; i < 20; i++) expect(await pool.submit(t('maybeBlock'), null, i)).toBe(i)
      const before = (await pool.submit(t('pid'))) as number
      const controller = new AbortController()
      const gate = latch()
      const stuck = pool.submitWith({ signal: controller.signal }, t('maybeBlock'), gate.path, 'never')
      const behind = [pool.submit(t('maybeBlock'), null, 'a'), pool.submit(t('maybeBlock'), null, 'b')]
      // Sent ahead to the one child (RUNNING), not waiting in the pool's queue.
      await until(() => stuck.running() && behind.every((f) => f.running()), 'the tasks to be sent together')
      await until(() => gate.started() === 1, 'the blocking task to start')
      const reason = new Error('give up')
      controller.abort(reason)
      expect(await rejection(stuck)).toBe(reason)
      expect(await Promise.all(behind)).toEqual(['a', 'b'])
      expect(alive(before)).toBe(false)
      expect(await pool.submit(t('pid'))).not.toBe(before)
    })
  })

  it('a task sent ahead and aborted before it starts gets its grace period once it runs, not while the task before it runs', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 50 }, async (pool) => {
      for (let i = 0; i < 20; i++) expect(await pool.submit(t('maybeBlock'), null, i)).toBe(i)
      const before = (await pool.submit(t('pid'))) as number
      const first = latch()
      const second = latch() // never released
      const running = pool.submit(t('maybeBlock'), first.path, 'first')
      const controller = new AbortController()
      const aborted = pool.submitWith({ signal: controller.signal }, t('maybeBlock'), second.path, 'second')
      const last = pool.submit(t('maybeBlock'), null, 'last')
      await until(() => [running, aborted, last].every((f) => f.running()), 'the tasks to be sent together')
      await until(() => first.started() === 1, 'the first task to start')
      const reason = new Error('not needed anymore')
      controller.abort(reason)
      // well past the grace period: the innocent task running now keeps its child
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(alive(before)).toBe(true)
      first.release()
      expect(await running).toBe('first')
      expect(await rejection(aborted)).toBe(reason)
      expect(second.started()).toBe(1) // it did start (with its signal already aborted), and ignored it
      expect(await last).toBe('last')
      expect(alive(before)).toBe(false)
    })
  })

  it('aborting a task still queued cancels it and ends nothing', async () => {
    await withPool({ maxWorkers: 1, abortGracePeriod: 0 }, async (pool) => {
      const before = (await pool.submit(t('pid'))) as number
      const gate = latch()
      const first = pool.submit(t('blockUntil'), gate.path, 'first')
      const controller = new AbortController()
      const queued = pool.submitWith({ signal: controller.signal }, t('square'), 3)
      controller.abort()
      expect(queued.cancelled()).toBe(true)
      gate.release()
      expect(await first).toBe('first')
      expect(pool.pids).toEqual([before])
    })
  })

  it('is checked: a number of milliseconds >= 0', async () => {
    for (const bad of [-1, Number.NaN, '50', null]) {
      expect(() => new ProcessPoolExecutor({ abortGracePeriod: bad as unknown as number })).toThrow(RangeError)
      expect(() => new ProcessPoolExecutor({ abortGracePeriod: bad as unknown as number })).toThrow(/abortGracePeriod must be a number of milliseconds >= 0/)
    }
    for (const good of [0, 50, Infinity, undefined]) {
      await new ProcessPoolExecutor({ abortGracePeriod: good }).shutdown()
    }
  })
})
