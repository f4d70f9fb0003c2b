#!/usr/bin/env node
/**
 * `x-worker`: serves a `DistributedExecutor`'s queue on this machine.
 *
 * ```sh
 * x-worker --connection redis://host:6379 --queue jobs --root /srv/app [--concurrency N]
 *          [--backend thread|process|async] [--allow-source] [--heartbeat MS] [--grace MS]
 * ```
 *
 * It runs the jobs on a local executor (a `ThreadPoolExecutor` by default), registers its
 * capacity with a heartbeat, prints where it is connected and what it serves, and on SIGINT or
 * SIGTERM stops taking jobs, lets the running ones finish (up to `--grace` ms, then hands them
 * back) and exits 0. A second signal hands them back at once. Bad flags or a Redis that cannot be
 * reached: a message on stderr and exit status 2.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { AsyncPoolExecutor, hooksOffBetweenTasks } from '@x/future'
import type { Executor } from '@x/future'
import { RedisUnavailableError, serve } from '@x/distributed'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'

const USAGE = `usage: x-worker --queue NAME --root DIR [--connection redis://host:6379] [--concurrency N]
                [--backend thread|process|async] [--allow-source] [--heartbeat MS] [--grace MS]

  --connection    Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue         the queue the DistributedExecutor submits to
  --root          the folder task modules are loaded from (the executor's root, on this machine)
  --concurrency   jobs at once (default: the number of cores)
  --backend       thread (default: CPU work on every core), process, or async (this thread, I/O work)
  --allow-source  run self-contained functions sent as source text (only on a trusted network:
                  whoever can write to the queue can then run any code here)
  --heartbeat     milliseconds between heartbeats (default 1000; a lost worker is noticed after 5x)
  --grace         milliseconds running jobs get to finish on SIGINT/SIGTERM (default 30000)`

class UsageError extends Error {}

interface Flags {
  connection: string
  queue: string
  root: string
  concurrency: number
  backend: 'thread' | 'process' | 'async'
  allowSource: boolean
  heartbeat: number
  grace: number
}

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1, got "${value}"`)
  return n
}

function parseFlags(argv: string[]): Flags | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        connection: { type: 'string' },
        queue: { type: 'string' },
        root: { type: 'string' },
        concurrency: { type: 'string' },
        backend: { type: 'string' },
        'allow-source': { type: 'boolean' },
        heartbeat: { type: 'string' },
        grace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const v = parsed.values
  if (v.help === true) return 'help'
  if (v.queue === undefined || v.queue === '') throw new UsageError('--queue is required (the queue the executor submits to)')
  if (v.queue.includes(':')) throw new UsageError(`--queue must not contain ":", got "${v.queue}"`)
  if (v.root === undefined || v.root === '') throw new UsageError('--root is required (the folder task modules are loaded from)')
  const backend = v.backend ?? 'thread'
  if (backend !== 'thread' && backend !== 'process' && backend !== 'async') {
    throw new UsageError(`--backend must be thread, process or async, got "${backend}"`)
  }
  const connection = v.connection ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  if (!/^rediss?:\/\//u.test(connection)) throw new UsageError(`--connection must be a redis:// or rediss:// URL, got "${connection}"`)
  return {
    connection,
    queue: v.queue,
    root: isAbsolute(v.root) ? v.root : resolve(v.root),
    concurrency: positiveInteger(v.concurrency, '--concurrency', availableParallelism()),
    backend,
    allowSource: v['allow-source'] === true,
    heartbeat: positiveInteger(v.heartbeat, '--heartbeat', 1000),
    grace: positiveInteger(v.grace, '--grace', 30_000),
  }
}

function makeExecutor(flags: Flags): Executor {
  if (flags.backend === 'process') return new ProcessPoolExecutor({ maxWorkers: flags.concurrency })
  if (flags.backend === 'async') {
    // The jobs run on this thread, between BullMQ's and ioredis's dozens of promises per job:
    // currentTask()'s async hooks go off between jobs while every job ran synchronously and
    // started nothing (the first that does keeps them on), so those promises do not pay for them.
    hooksOffBetweenTasks()
    return new AsyncPoolExecutor({ maxWorkers: flags.concurrency })
  }
  return new ThreadPoolExecutor({ maxWorkers: flags.concurrency })
}

const fail = (message: string): void => {
  process.stderr.write(`x-worker: ${message}\n`)
  process.exitCode = 2
}

async function main(): Promise<void> {
  let flags: Flags | 'help'
  try {
    flags = parseFlags(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    fail(`${error.message}\n${USAGE}`)
    return
  }
  if (flags === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const executor = makeExecutor(flags)
  let worker
  try {
    worker = await serve({
      connection: flags.connection,
      queue: flags.queue,
      root: flags.root,
      executor,
      allowSource: flags.allowSource,
      concurrency: flags.concurrency,
      heartbeat: flags.heartbeat,
      onError: (error) => process.stderr.write(`x-worker: ${error.message}\n`),
    })
  } catch (error) {
    await executor.shutdown({ wait: false, cancelFutures: true })
    if (error instanceof RedisUnavailableError) {
      fail(error.message)
      return
    }
    throw error
  }
  const source = flags.allowSource ? 'function source allowed' : 'function source refused'
  process.stdout.write(
    `x-worker ${worker.id}: serving queue "${flags.queue}" at ${flags.connection.replace(/\/\/[^@/]*@/u, '//***@')}, ` +
      `modules from ${worker.root}, ${flags.backend} backend, concurrency ${String(flags.concurrency)}, ${source}\n`,
  )
  let signals = 0
  const stop = (signal: NodeJS.Signals): void => {
    signals++
    const timeout = signals === 1 ? flags.grace : 0
    process.stdout.write(
      signals === 1
        ? `x-worker: ${signal}: stopping; ${String(worker.running)} running job(s) get ${String(flags.grace)} ms to finish\n`
        : `x-worker: ${signal} again: handing the running jobs back now\n`,
    )
    if (signals > 1) {
      void worker.close({ timeout: 0 })
      return
    }
    void worker
      .close({ timeout })
      .then(() => executor.shutdown({ wait: false, cancelFutures: true }))
      .then(() => {
        process.stdout.write('x-worker: stopped\n')
        process.exit(0)
      })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`x-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
