/**
 * `--backend distributed`: a `DistributedExecutor` on the local Redis (REDIS_URL, default
 * redis://127.0.0.1:6379) and two local `x-worker` processes serving its queue, started with the
 * executor and stopped by its `shutdown()`. Which worker ran what is counted from the
 * `future:start` events, and shown after a run.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import diagnosticsChannel from 'node:diagnostics_channel'
import { createRequire } from 'node:module'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DistributedExecutor, channels } from '@x/concurrent'
import type { FutureStartEvent, ShutdownOptions } from '@x/concurrent'

/** One queue per run: two demos at once (or a test running two tours) must not serve each other's jobs. */
let runs = 0
const queueName = (): string => `x-sample-${String(process.pid)}-${String(++runs)}`
/** Where the Redis is (REDIS_URL, default redis://127.0.0.1:6379). */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether a Redis answers PING at {@link redisUrl} within a second. */
export function redisAnswers(): Promise<boolean> {
  const url = new URL(redisUrl)
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => {
      done(false)
    })
    socket.on('error', () => {
      done(false)
    })
    socket.on('connect', () => {
      if (url.password !== '') socket.write(`AUTH ${decodeURIComponent(url.password)}\r\n`)
      socket.write('PING\r\n')
    })
    socket.on('data', (data: Buffer) => {
      if (data.toString().includes('PONG')) done(true)
    })
  })
}
const xWorker = join(dirname(createRequire(import.meta.url).resolve('@x/concurrent/package.json')), 'dist', 'x-worker.js')
/** This folder (dist/): tasks.js is here, on both sides. */
const root = fileURLToPath(new URL('.', import.meta.url))

/** A DistributedExecutor with two local x-workers of its own. */
export class LocalCluster extends DistributedExecutor {
  readonly #workers: { child: ChildProcess; output: string; exited: Promise<void> }[] = []
  /** Tasks started per worker (numbered 1, 2 in the order they first started a task). */
  readonly ranBy = new Map<number, number>()
  readonly #onStart = (message: unknown): void => {
    const event = message as FutureStartEvent
    if (event.executorId === this.id) this.ranBy.set(event.workerId, (this.ranBy.get(event.workerId) ?? 0) + 1)
  }

  constructor(maxWorkers: number, queue = queueName()) {
    super({ queue, root, maxWorkers })
    diagnosticsChannel.subscribe(channels.futureStart.name, this.#onStart)
    const concurrency = String(Math.max(1, Math.ceil(maxWorkers / 2)))
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, [xWorker, '--queue', queue, '--root', root, '--concurrency', concurrency], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      const worker = { child, output: '', exited: new Promise<void>((resolve) => child.once('exit', () => { resolve() })) }
      child.stderr.on('data', (data: Buffer) => (worker.output += data.toString()))
      this.#workers.push(worker)
    }
  }

  /** "x-worker #1 ran 3, #2 ran 3" */
  describeWorkers(): string {
    const parts = [...this.ranBy].sort((a, b) => a[0] - b[0]).map(([n, count]) => `#${String(n)} ran ${String(count)}`)
    return parts.length === 0 ? 'no x-worker started a task' : `x-worker ${parts.join(', ')}`
  }

  override async shutdown(options?: ShutdownOptions): Promise<void> {
    try {
      await super.shutdown(options)
    } finally {
      diagnosticsChannel.unsubscribe(channels.futureStart.name, this.#onStart)
      for (const { child } of this.#workers) child.kill('SIGTERM')
      await Promise.all(this.#workers.map((w) => w.exited))
      for (const { output, child } of this.#workers) {
        if (child.exitCode !== 0 && output !== '') process.stderr.write(output)
      }
    }
  }
}
