// Everything at once: short and slow tasks, errors, children that die, cancellations, nested
// work and child replacement. Every future must settle, shutdown() must return, no child may
// survive, and the pool's books must balance (checked through what it does next).
import { describe, expect, it } from 'vitest'
import { CancelledError } from '@x/future'
import type { Future } from '@x/future'
import { type ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { alive, t } from './helpers.js'

describe('stress', () => {
  it('a mixed load with deaths, errors, cancellations and nested work settles every future', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 3, maxTasksPerChild: 7 })
    const seen = new Set<number>()
    const poll = setInterval(() => {
      for (const pid of pool.pids) seen.add(pid)
    }, 5)
    let seed = 42
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const fs: { kind: string; n: number; future: Future }[] = []
    for (let n = 0; n < 240; n++) {
      const r = random()
      let kind: string
      let future: Future
      if (r < 0.55) [kind, future] = ['square', pool.submit(t('square'), n)]
      else if (r < 0.7) [kind, future] = ['sleep', pool.submit(t('sleep'), 5, n)]
      else if (r < 0.8) [kind, future] = ['fail', pool.submit(t('failCustom'), `n${String(n)}`)]
      else if (r < 0.87) [kind, future] = ['exit', pool.submit(t('exit'), 3)]
      else if (r < 0.95) [kind, future] = ['nested', pool.submit(t('nestedDouble'), n)]
      else [kind, future] = ['cancel', pool.submit(t('sleep'), 5, n)]
      if (kind === 'cancel') future.cancel()
      fs.push({ kind, n, future })
    }
    await pool.shutdown()
    clearInterval(poll)
    for (const { kind, n, future } of fs) {
      expect(future.done()).toBe(true)
      if (kind === 'cancel') {
        expect(future.cancelled()).toBe(true)
        expect(await future.exception().catch((e: unknown) => e)).toBeInstanceOf(CancelledError)
        continue
      }
      const error = await future.exception()
      if (kind === 'square') expect(await future).toBe(n * n)
      else if (kind === 'sleep') expect(await future).toBe(n)
      else if (kind === 'fail') expect((error as Error).message).toBe(`n${String(n)}`)
      else if (kind === 'exit') expect((error as ProcessExitError).exitCode).toBe(3)
      else if (kind === 'nested') {
        // nested work submitted after shutdown() began is refused, as in Python
        if (error === undefined) expect(await future).toBe(2 * n + 1)
        else expect((error as Error).message).toBe('cannot schedule new futures after shutdown')
      }
    }
    expect([...seen].filter(alive)).toEqual([])
    expect(() => pool.submit(t('square'), 1)).toThrow('cannot schedule new futures after shutdown')
  }, 60_000)
})
