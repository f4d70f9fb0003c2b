// A Redis restart that loses every key (no persistence), on a redis-server of the test's own
// (the shared one at REDIS_URL is never restarted): the worker running a task is alive, registers
// again, and the task's future gets its result, not a WorkerLostError.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'
import { root, until } from './helpers.js'

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0
const tasks = new URL('tasks.mjs', root)
const add = task<(a: number, b: number) => number>(tasks, 'add')
const sleep = task<(ms: number, value: string) => string>(tasks, 'sleep')
const recordThenWait = task<(file: string, latch: string, value: string) => string>(tasks, 'recordThenWait')

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A redis-server without persistence on a free port: `restart()` kills it and starts an empty one there. */
async function privateRedis(): Promise<{ url: string; restart(): Promise<void>; stop(): Promise<void> }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'x-restart-'))
  const url = `redis://127.0.0.1:${String(port)}`
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => undefined)
    try {
      await until(async () => {
        try {
          await probe.connect()
          await probe.ping()
          return true
        } catch {
          return false
        }
      }, 'redis-server to answer')
    } finally {
      probe.disconnect()
    }
  }
  const kill = async (): Promise<void> => {
    const running = child
    if (running === undefined) return
    if (running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    url,
    restart: async () => {
      await kill()
      await start()
    },
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

describe.skipIf(!hasRedisServer)('a Redis restart that loses every key (needs redis-server on the PATH)', () => {
  it("does not fail a running task's future with WorkerLostError; the worker registers again and serves on", async () => {
    const redis = await privateRedis()
    const queue = 'restart'
    const local = new AsyncPoolExecutor({ maxWorkers: 2 })
    try {
      // heartbeat 1 s, checks every 50 ms: the executor is back and checking long before the
      // worker's next timed beat
      const worker = await serve({ connection: redis.url, queue, root, executor: local, heartbeat: 1000, onError: () => undefined })
      const ex = new DistributedExecutor({ connection: redis.url, queue, root, maxWorkers: 2, checkInterval: 50 })
      try {
        const long = ex.submit(sleep, 2500, 'slept')
        await until(() => worker.running === 1, 'the task to start')
        await redis.restart()
        expect(await long.result(20_000)).toBe('slept')
        const check = new Redis(redis.url)
        try {
          expect(await check.sismember(`x:${queue}:workers`, worker.id)).toBe(1)
        } finally {
          check.disconnect()
        }
        expect(await ex.submit(add, 1, 2)).toBe(3)
      } finally {
        await ex.shutdown()
        await worker.close({ timeout: 0 })
      }
    } finally {
      await local.shutdown({ wait: false })
      await redis.stop()
    }
  })

  it('runs a task started just before the restart once: its start marker, lost with every key, is set again by its worker', async () => {
    const redis = await privateRedis()
    const queue = 'restart-once'
    const dir = mkdtempSync(join(tmpdir(), 'x-restart-once-'))
    const record = join(dir, 'runs')
    const latch = join(dir, 'latch')
    const local = new AsyncPoolExecutor({ maxWorkers: 2 })
    try {
      const worker = await serve({ connection: redis.url, queue, root, executor: local, heartbeat: 1000, onError: () => undefined })
      // the default check interval (1 s): the restart comes before any check learned who runs the job
      const ex = new DistributedExecutor({ connection: redis.url, queue, root, maxWorkers: 2 })
      try {
        const once = ex.submit(recordThenWait, record, latch, 'ran')
        await until(() => worker.running === 1, 'the task to start')
        await redis.restart()
        // long enough for the executor's checks to take the job for one that never started and send it
        // again (it was gone from BullMQ at two checks), had nothing told them otherwise
        await new Promise((resolve) => setTimeout(resolve, 4000))
        writeFileSync(latch, 'go')
        expect(await once.result(20_000)).toBe('ran')
        expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(1)
      } finally {
        writeFileSync(latch, 'go')
        await ex.shutdown()
        await worker.close({ timeout: 0 })
      }
    } finally {
      await local.shutdown({ wait: false })
      await redis.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('shutdown() does not wait for a Redis that went away: its last writes get a grace, then the connections end', async () => {
    const redis = await privateRedis()
    const queue = 'gone'
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    try {
      const worker = await serve({ connection: redis.url, queue, root, executor: local, heartbeat: 1000, onError: () => undefined })
      const ex = new DistributedExecutor({ connection: redis.url, queue, root, maxWorkers: 1 })
      expect(await ex.submit(add, 1, 2)).toBe(3)
      await worker.close({ timeout: 0 })
      await redis.stop()
      // its commands would wait for Redis to come back (it never does): the guard fails the test
      let guard: NodeJS.Timeout | undefined
      const outcome = await Promise.race([
        ex.shutdown().then(() => 'shut down'),
        new Promise((resolve) => {
          guard = setTimeout(() => { resolve('still waiting after 20 s') }, 20_000)
        }),
      ])
      clearTimeout(guard)
      expect(outcome).toBe('shut down')
    } finally {
      await local.shutdown({ wait: false })
      await redis.stop()
    }
  })
})
