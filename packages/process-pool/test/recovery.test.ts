// Recovery with the start marker (src/start-marker.ts): a child that dies fails exactly the task
// it was running; the tasks sent ahead to it that had not started go back to the front of the
// queue and run on another child, even the very first time a function kills its child.
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, describe, expect, it } from 'vitest'
import { ShutdownError } from '@x/future'
import { ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { MarkerWriter } from '../dist/marker-writer.js'
import { createMarker, readMarker, removeMarker } from '../dist/start-marker.js'
import { alive, t, until } from './helpers.js'

describe('the start marker', () => {
  it('reads 0 until the child writes a task id, then the last id written', () => {
    const file = createMarker()
    try {
      expect(readMarker(file)).toBe(0)
      const writer = new MarkerWriter(file)
      writer.write(41)
      writer.write(2 ** 40 + 3)
      expect(readMarker(file)).toBe(2 ** 40 + 3)
      writer.close()
    } finally {
      removeMarker(file)
    }
    expect(readMarker(file)).toBe(0)
  })

  it('no marker file outlives a process that exits with its pool idle (no shutdown)', async () => {
    const script = `
      import { ProcessPoolExecutor } from '@x/process-pool'
      const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
      await Promise.all([1, 2, 3].map((n) => pool.submit((x) => x * 2, n)))
      console.log(process.pid)
    `
    const out = await new Promise<string>((resolve, reject) => {
      const options = { cwd: new URL('..', import.meta.url), timeout: 20_000, detached: true }
      execFile(process.execPath, ['--input-type=module', '-e', script], options, (error, stdout) => {
        if (error) reject(new Error(`the script failed: ${error.message}`, { cause: error }))
        else resolve(stdout)
      })
    })
    const folder = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
    expect(readdirSync(folder).filter((name) => name.startsWith(`x-process-pool-${out.trim()}-`))).toEqual([])
  })
})

describe('a dead child', () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
  afterAll(() => pool.shutdown())

  it('fails only the task it was running; the ones sent ahead behind it run on the next child, first of all', async () => {
    // learn that exitIf is short, so it is sent ahead in batches
    expect(await Promise.all(Array.from({ length: 300 }, (_, i) => pool.submit(t('exitIf'), i, -1)))).toHaveLength(300)
    const order: number[] = []
    const fs = Array.from({ length: 100 }, (_, i) => pool.submit(t('exitIf'), i, 50))
    fs.forEach((f, i) => { f.addDoneCallback(() => order.push(i)); })
    const later = pool.submit(t('square'), 7)
    const outcomes = await Promise.all(fs.map((f) => f.exception()))
    const failed = outcomes.flatMap((error, i) => (error === undefined ? [] : [i]))
    expect(failed).toEqual([50])
    expect((outcomes[50] as ProcessExitError).exitCode).toBe(5)
    for (const [i, f] of fs.entries()) if (i !== 50) expect(await f).toBe(i)
    // the ones taken back ran before anything queued after them
    expect(await later).toBe(49)
    expect(order.slice(0, 51)).toEqual(Array.from({ length: 51 }, (_, i) => i))
  })

  it('a SIGKILL from outside fails the running task alone, naming the signal', async () => {
    const victim = await pool.submit(t('pid'))
    const running = pool.submit(t('sleep'), 5000, 'never')
    const behind = [pool.submit(t('square'), 2), pool.submit(t('square'), 3)]
    await until(() => running.running(), 'the task to start')
    process.kill(victim as number, 'SIGKILL')
    const error = (await running.exception()) as ProcessExitError
    expect(error).toBeInstanceOf(ProcessExitError)
    expect(error.signal).toBe('SIGKILL')
    expect(error.pid).toBe(victim)
    expect(await Promise.all(behind)).toEqual([4, 9])
  })
})

describe('after shutdown', () => {
  it('submit() throws ShutdownError (ERR_EXECUTOR_SHUTDOWN) with Python\'s message', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    await p.shutdown()
    let error: unknown
    try {
      p.submit(t('square'), 2)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ShutdownError)
    expect((error as ShutdownError).code).toBe('ERR_EXECUTOR_SHUTDOWN')
    expect((error as Error).message).toBe('cannot schedule new futures after shutdown')
  })
})

describe('a parent killed by a signal', () => {
  it('leaves no start marker behind: its children remove theirs when they see it gone', async () => {
    const script = `
      import { ProcessPoolExecutor } from '@x/process-pool'
      const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
      await Promise.all([1, 2, 3].map((n) => pool.submit((x) => x * 2, n)))
      console.log(JSON.stringify({ pid: process.pid, children: pool.pids }))
      setInterval(() => undefined, 1000)
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), detached: true })
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('the script did not report')); }, 20_000)
      child.stdout.once('data', (data: Buffer) => {
        clearTimeout(timer)
        resolve(data.toString())
      })
    })
    const { pid, children } = JSON.parse(line) as { pid: number; children: number[] }
    process.kill(pid, 'SIGKILL')
    await until(() => children.every((c) => !alive(c)), 'the orphaned children to exit')
    const folder = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
    expect(readdirSync(folder).filter((name) => name.startsWith(`x-process-pool-${String(pid)}-`))).toEqual([])
  })
})
