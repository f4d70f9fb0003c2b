// Children that die: each kind of death fails only the futures that child was running, with an
// error naming the exit code or the signal; the pool replaces the child and serves on.
import diagnosticsChannel from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelNames } from '@x/future'
import type { WorkerExitEvent } from '@x/future'
import { BrokenProcessPoolError, ProcessExitError, ProcessPoolExecutor, SerializationError } from '@x/process-pool'
import { alive, cleanupLatches, latch, rejection, t, until } from './helpers.js'

let pool: ProcessPoolExecutor

beforeAll(() => {
  pool = new ProcessPoolExecutor({ maxWorkers: 2 })
})

afterAll(async () => {
  const pids = pool.pids
  await pool.shutdown()
  expect(pids.filter(alive)).toEqual([])
  cleanupLatches()
})

describe('a child that dies', () => {
  it('process.exit(3): the future fails naming exit code 3; queued work is not lost', async () => {
    const single = new ProcessPoolExecutor({ maxWorkers: 1 })
    try {
      const first = await single.submit(t('pid'))
      const dying = single.submit(t('exit'), 3)
      const queued = [single.submit(t('square'), 2), single.submit(t('square'), 3), single.submit(t('pid'))]
      const error = (await rejection(dying)) as ProcessExitError
      expect(error).toBeInstanceOf(ProcessExitError)
      expect(error.code).toBe('ERR_PROCESS_EXITED')
      expect(error.exitCode).toBe(3)
      expect(error.signal).toBeUndefined()
      expect(error.pid).toBe(first)
      expect(error.message).toContain('exited with code 3')
      expect(error.message).toContain('"exit"')
      const [four, nine, second] = await Promise.all(queued)
      expect([four, nine]).toEqual([4, 9])
      expect(second).not.toBe(first)
    } finally {
      await single.shutdown()
    }
  })

  it('SIGKILL sent to the child pid: the future fails naming SIGKILL, the pool serves on', async () => {
    const gate = latch()
    const blocked = pool.submit(t('blockUntil'), gate.path, 'never')
    await until(() => gate.started() === 1, 'the task to start')
    const exits: WorkerExitEvent[] = []
    const onExit = (event: unknown): void => {
      exits.push(event as WorkerExitEvent)
    }
    diagnosticsChannel.subscribe(channelNames.workerExit, onExit)
    try {
      const running = await runningPid(blocked)
      process.kill(running, 'SIGKILL')
      const error = (await rejection(blocked)) as ProcessExitError
      expect(error).toBeInstanceOf(ProcessExitError)
      expect(error.signal).toBe('SIGKILL')
      expect(error.exitCode).toBeUndefined()
      expect(error.message).toContain('killed by signal SIGKILL')
      expect(exits).toHaveLength(1)
      expect(exits[0]).toMatchObject({ executorId: pool.id, signal: 'SIGKILL', futureIds: [blocked.id] })
      expect(await pool.submit(t('square'), 5)).toBe(25)
      expect(pool.pids).not.toContain(running)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.workerExit, onExit)
      gate.release()
    }
  })

  it('an idle child that is killed is replaced; nothing crashes and nothing fails', async () => {
    await Promise.all([pool.submit(t('square'), 1), pool.submit(t('square'), 2)])
    const [victim] = pool.pids
    if (victim === undefined) throw new Error('no child')
    process.kill(victim, 'SIGKILL')
    await until(() => !pool.pids.includes(victim), 'the pool to notice')
    expect(await Promise.all([3, 4, 5].map((n) => pool.submit(t('square'), n)))).toEqual([9, 16, 25])
  })

  it('a function that was running when a child died is no longer sent ahead: the next death takes one future', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    try {
      // learn that exitIf is short, so it is sent ahead in batches
      expect(await Promise.all(Array.from({ length: 300 }, (_, i) => p.submit(t('exitIf'), i, -1)))).toHaveLength(300)
      const round = async (): Promise<number> => {
        const fs = Array.from({ length: 100 }, (_, i) => p.submit(t('exitIf'), i, 50))
        let failed = 0
        for (const [i, f] of fs.entries()) {
          const error = await f.exception()
          if (error === undefined) expect(await f).toBe(i)
          else {
            expect((error as ProcessExitError).exitCode).toBe(5)
            failed++
          }
        }
        return failed
      }
      expect(await round()).toBeGreaterThanOrEqual(1)
      expect(await round()).toBe(1)
    } finally {
      await p.shutdown()
    }
  })

  it('process.kill(process.pid, "SIGTERM") inside the task names SIGTERM', async () => {
    const error = (await rejection(pool.submit(t('killSelf'), 'SIGTERM'))) as ProcessExitError
    expect(error.signal).toBe('SIGTERM')
    expect(await pool.submit(t('square'), 6)).toBe(36)
  })

  it('an uncaught exception ends the child: the future names exit code 1 and has the exception as cause', async () => {
    const error = (await rejection(pool.submit(t('throwLater'), 'thrown in a timer'))) as ProcessExitError
    expect(error).toBeInstanceOf(ProcessExitError)
    expect(error.exitCode).toBe(1)
    expect(error.message).toContain('after an uncaught exception: RangeError: thrown in a timer')
    expect(error.cause).toBeInstanceOf(RangeError)
    expect(await pool.submit(t('square'), 4)).toBe(16)
  })

  it('process.abort() names SIGABRT', async () => {
    const error = (await rejection(pool.submit(t('abort')))) as ProcessExitError
    expect(error).toBeInstanceOf(ProcessExitError)
    expect(error.signal).toBe('SIGABRT')
    expect(error.message).toContain('SIGABRT')
    expect(await pool.submit(t('square'), 7)).toBe(49)
  })

  it('running out of memory (execArgv --max-old-space-size) fails the future; the pool serves on', async () => {
    const small = new ProcessPoolExecutor({ maxWorkers: 1, execArgv: ['--max-old-space-size=32'] })
    try {
      const error = (await rejection(small.submit(t('exhaustMemory')))) as ProcessExitError
      expect(error).toBeInstanceOf(ProcessExitError)
      // V8 aborts on a fatal out-of-memory error
      expect(error.signal === 'SIGABRT' || error.exitCode === 134).toBe(true)
      expect(error.message).toMatch(/out of memory/)
      expect(await small.submit(t('square'), 8)).toBe(64)
    } finally {
      await small.shutdown()
    }
  }, 60_000)

  it('submit(crash after 100 ms) then shutdown(): shutdown returns and the future names the exit (G68)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    await p.submit(t('square'), 1)
    const crash = p.submit(t('exitLater'), 9, 100)
    const pids = p.pids
    await p.shutdown()
    const error = (await rejection(crash)) as ProcessExitError
    expect(error.exitCode).toBe(9)
    expect(pids.filter(alive)).toEqual([])
  })

  it('a crash while large payloads are in flight surfaces from map without a hang (G77)', async () => {
    const big = 'a'.repeat(256 * 1024)
    const error = await rejection(
      (async () => {
        for await (const value of pool.map(t('crashWith'), Array.from({ length: 10 }, () => big))) expect(value).toBeUndefined()
      })(),
    )
    expect(error).toBeInstanceOf(ProcessExitError)
    expect((error as ProcessExitError).exitCode).toBe(7)
    expect(await pool.submit(t('square'), 9)).toBe(81)
  })
})

// research/cpython-futures.md §3.4 (test_deadlock.py), the portable cases: an unserializable
// argument (test_error_at_task_pickle) and result (test_error_during_result_pickle_on_worker) are
// in values.test.ts; a crash or exit while running (test_crash/exit_during_func_exec_on_worker,
// adapted: process.exit() is a real exit here) and test_crash_big_data above; test_shutdown_deadlock
// is G68 above; an error while running (test_error_during_func_exec_on_worker) is D37.
describe('test_deadlock.py cases', () => {
  it('test_shutdown_deadlock_pickle: an unsendable argument, then shutdown({ wait: false }): no hang, the children exit', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    expect(await p.submit(t('square'), 2)).toBe(4)
    const pids = p.pids
    const bad = p.submit(t('echo'), Symbol('unsendable'))
    await p.shutdown({ wait: false })
    expect((await rejection(bad)) as Error).toBeInstanceOf(SerializationError)
    await until(() => pids.every((pid) => !alive(pid)), 'the children to exit')
  })

  it('test_exit_during_func_exec_on_worker (adapted): process.exit(1) fails the future with exit code 1; the pool is not broken', async () => {
    const error = (await rejection(pool.submit(t('exit'), 1))) as ProcessExitError
    expect(error.exitCode).toBe(1)
    expect(await pool.submit(t('square'), 10)).toBe(100)
  })
})

describe('a pool that cannot start children is broken', () => {
  it('a failing initializer breaks the pool with BrokenProcessPoolError (G71)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2, initializer: t('failInit') })
    const pending = [p.submit(t('square'), 1), p.submit(t('square'), 2)]
    for (const f of pending) {
      const error = (await rejection(f)) as BrokenProcessPoolError
      expect(error).toBeInstanceOf(BrokenProcessPoolError)
      expect(error.code).toBe('ERR_BROKEN_PROCESS_POOL')
      expect(error.message).toBe('A process initializer failed, the process pool is not usable anymore')
      expect((error.cause as Error).message).toBe('error in initializer')
      expect(error.cause).toBeInstanceOf(RangeError)
    }
    expect(() => p.submit(t('square'), 3)).toThrow(BrokenProcessPoolError)
    await p.shutdown()
    // the broken check comes first, even after shutdown
    expect(() => p.submit(t('square'), 3)).toThrow(BrokenProcessPoolError)
    expect(p.pids.filter(alive)).toEqual([])
    // forced stops on a broken pool do not throw
    await p.terminateWorkers()
    await p.killWorkers()
  })

  it('an initializer that works runs once per child before its tasks', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2, initializer: t('init'), initargs: ['initialized'] })
    try {
      const values = await Promise.all(Array.from({ length: 4 }, () => p.submit(t('readInit'))))
      expect(values).toEqual(['initialized', 'initialized', 'initialized', 'initialized'])
    } finally {
      await p.shutdown()
    }
  })

  it('a child that dies while starting (a bad execArgv) breaks the pool, naming the exit', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, execArgv: ['--no-such-node-flag'] })
    const error = (await rejection(p.submit(t('square'), 2))) as BrokenProcessPoolError
    expect(error).toBeInstanceOf(BrokenProcessPoolError)
    expect(error.message).toMatch(/exited with code 9 while starting/)
    expect(() => p.submit(t('square'), 2)).toThrow(BrokenProcessPoolError)
    await p.shutdown()
  })
})

/** The pid of the child running `future` (the only busy child), found through a probe task. */
async function runningPid(future: { done(): boolean }): Promise<number> {
  // The other child is idle: a probe runs there, so the busy child is the one it is not.
  const idle = await pool.submit(t('pid'))
  const busy = pool.pids.find((pid) => pid !== idle)
  if (busy === undefined || future.done()) throw new Error('no busy child')
  return busy
}
