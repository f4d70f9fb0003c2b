// Each place where tinypool 2.2.0's public API cannot do what the pool needs, and the pool uses
// Node's own primitives instead (numbered as in src/tinypool-processes.ts). Without its
// workaround, each of these fails or hangs.
import { ChildProcess } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { BrokenProcessPoolError, type ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { rejection, t, until } from './helpers.js'

describe('tinypool workarounds', () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1, env: { X_WORKAROUND: 'yes' } })
  afterAll(() => pool.shutdown())

  it('1. the exit code and the signal of a dead child are named (tinypool says only "Worker exited unexpectedly")', async () => {
    const exited = (await rejection(pool.submit(t('exit'), 7))) as ProcessExitError
    expect(exited.exitCode).toBe(7)
    expect(exited.message).toContain('exited with code 7')
    const killed = (await rejection(pool.submit(t('killSelf'), 'SIGKILL'))) as ProcessExitError
    expect(killed.signal).toBe('SIGKILL')
    expect(killed.message).toContain('was killed by signal SIGKILL')
  })

  it('1. results the child sent just before it died are delivered (the pool waits for its pipes to drain)', async () => {
    const results = [1, 2, 3].map((n) => pool.submit(t('square'), n))
    const dying = pool.submit(t('exit'), 9)
    expect(await Promise.all(results)).toEqual([1, 4, 9])
    expect(((await rejection(dying)) as ProcessExitError).exitCode).toBe(9)
  })

  it('2. a child that dies while starting does not leave the pool waiting forever on its session task', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, execArgv: ['--no-such-node-flag'] })
    const error = await rejection(p.submit(t('square'), 2))
    expect(error).toBeInstanceOf(BrokenProcessPoolError)
    await p.shutdown()
  })

  it('3. terminateWorkers() sends SIGTERM itself (tinypool can only terminate its own way)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    const running = p.submit(t('sleep'), 10_000, 'never')
    while (!running.running() || p.pids.length === 0) await delay(10)
    await delay(50)
    await p.terminateWorkers()
    expect(((await rejection(running)) as ProcessExitError).signal).toBe('SIGTERM')
  })

  it("4. children inherit the parent's environment plus `env`, and values use advanced serialization", async () => {
    expect(await pool.submit(t('env'), 'PATH')).toBe(process.env.PATH)
    expect(await pool.submit(t('env'), 'X_WORKAROUND')).toBe('yes')
    expect(await pool.submit(t('echo'), new Map([[1n, new Set([new Date(0)])]]))).toEqual(new Map([[1n, new Set([new Date(0)])]]))
  })

  it('5. tinypool does not end an idle child on its own: the same child serves after a pause', async () => {
    const first = await pool.submit(t('pid'))
    await delay(300)
    expect(await pool.submit(t('pid'))).toBe(first)
  })

  describe('6. a child counts as ready at once, and tinypool never starts one of its own', () => {
    /** Calls `watch` with each child process the pool starts from now on, until the returned function runs. */
    function watchChildren(watch: (child: ChildProcess) => void): () => void {
      // (Node's own method, under fork(): not in its typings)
      const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, options: { args: string[] }) => unknown }
      const spawn = proto.spawn
      proto.spawn = function (options) {
        const error = spawn.call(this, options)
        if (options.args.some((arg) => arg.includes('tinypool'))) watch(this)
        return error
      }
      return () => {
        proto.spawn = spawn
      }
    }

    it("the first task leaves with the session, before the child said it loaded the entry (tinypool's ready)", async () => {
      const log: string[] = []
      const restore = watchChildren((child) => {
        const send = child.send.bind(child) as (...args: unknown[]) => boolean
        child.send = (...args: unknown[]) => {
          const message = args[0] as { name?: string; source?: string; task?: { early?: { type: string }[] } }
          if (message.source === 'port' && message.name === 'session') log.push(`session(${(message.task?.early ?? []).map((m) => m.type).join(',')})`)
          return send(...args)
        }
        child.on('message', (message: { ready?: boolean }) => {
          if (message.ready === true) log.push('ready')
        })
      })
      const p = new ProcessPoolExecutor({ maxWorkers: 1 })
      try {
        expect(await p.submit(t('square'), 3)).toBe(9)
        await until(() => log.includes('ready'), "tinypool's ready")
        expect(log).toEqual(['session(run)', 'ready'])
      } finally {
        restore()
        await p.shutdown()
      }
    })

    it('a child that died is replaced by the pool only (tinypool would start one as well)', async () => {
      let forks = 0
      const restore = watchChildren(() => forks++)
      const p = new ProcessPoolExecutor({ maxWorkers: 1 })
      try {
        expect(((await rejection(p.submit(t('exit'), 3))) as ProcessExitError).exitCode).toBe(3)
        expect(await p.submit(t('square'), 4)).toBe(16)
        await p.shutdown()
        expect(forks).toBe(2)
      } finally {
        restore()
        await p.shutdown()
      }
    })
  })

  it("7. a child whose tasks print nothing never makes its stdio streams (tinypool reads console._stdout and _stderr when a task resolves: the session's task rejects once the child said it is ready)", async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, initializer: t('watchConsoleStreams') })
    try {
      expect(await p.submit(t('square'), 5)).toBe(25)
      expect(await p.submit(t('consoleStreamsRead'))).toEqual([])
    } finally {
      await p.shutdown()
    }
  })
})
