// A child's start: the pool sends the first task as the child starts (right behind tinypool's
// session message), and the child runs it only once its initializer is done.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrokenProcessPoolError, ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { afterAll, describe, expect, it } from 'vitest'
import { alive, rejection, t } from './helpers.js'

const scratch = mkdtempSync(join(tmpdir(), 'x-process-start-'))
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
})

describe('the first task, sent while its child starts', () => {
  it('runs after the initializer, even a slow one', async () => {
    const pool = new ProcessPoolExecutor({
      maxWorkers: 1,
      initializer: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        ;(globalThis as Record<string, unknown>).initDone = 'yes'
      },
    })
    try {
      expect(await pool.submit(() => (globalThis as Record<string, unknown>).initDone ?? 'not yet')).toBe('yes')
    } finally {
      await pool.shutdown()
    }
  })

  it('runs without loading perf_hooks in the child (its first performance.now() costs 1-2 ms of CPU)', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    try {
      const loaded = () => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes('NativeModule perf_hooks')
      expect(await pool.submit(loaded)).toBe(false)
      // (and a task that reads it still can)
      expect(await pool.submit(() => typeof performance.now())).toBe('number')
    } finally {
      await pool.shutdown()
    }
  })

  it('never runs when the initializer throws: its future fails with the BrokenProcessPoolError', async () => {
    const pool = new ProcessPoolExecutor({
      maxWorkers: 1,
      initializer: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        throw new RangeError('no start')
      },
    })
    const file = join(scratch, 'ran')
    const error = (await rejection(pool.submit(t('record'), file, 'ran'))) as BrokenProcessPoolError
    expect(error).toBeInstanceOf(BrokenProcessPoolError)
    expect((error.cause as Error).message).toBe('no start')
    await pool.shutdown()
    expect(existsSync(file)).toBe(false)
  })

  it('that ends its child fails with the exit code, and is not taken for a child that failed to start', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    try {
      // (five children in a row that die while starting break the pool)
      for (let i = 0; i < 7; i++) {
        const error = (await rejection(pool.submit(t('exit'), 3))) as ProcessExitError
        expect(error).toBeInstanceOf(ProcessExitError)
        expect(error.exitCode).toBe(3)
      }
      expect(await pool.submit(t('square'), 6)).toBe(36)
    } finally {
      await pool.shutdown()
    }
  })

  it('has its result when the pool is shut down right after it was made; no child is left', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
    const future = pool.submit(t('pid'))
    await pool.shutdown()
    const pid = (await future) as number
    expect(pool.pids).toEqual([])
    expect(alive(pid)).toBe(false)
    const empty = new ProcessPoolExecutor({ maxWorkers: 2 })
    await empty.shutdown()
    expect(empty.pids).toEqual([])
  })

  it('keeps the process alive until its result is in (a script that awaits nothing)', { timeout: 30_000 }, async () => {
    const script = `
      import { ProcessPoolExecutor } from '@x/process-pool'
      const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
      void pool.submit(() => new Promise((resolve) => setTimeout(() => resolve('done after 300 ms'), 300))).then((value) => {
        process.stdout.write(String(value))
      })
    `
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), timeout: 20_000 }, (_error, stdout, stderr) => {
        resolve({ code: child.exitCode, stdout, stderr })
      })
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('done after 300 ms')
  })
})
