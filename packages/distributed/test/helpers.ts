// Real Redis, real worker processes: the helpers every test file shares.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, it } from 'vitest'
import { REDIS_URL, killStarted, redisAnswers, startProcess } from '../../../scripts/test-utils/processes.mjs'
import type { StartedProcess } from '../../../scripts/test-utils/processes.mjs'

export { REDIS_URL }
export const root = new URL('./fixtures/root/', import.meta.url)
export const outside = new URL('./fixtures/outside/', import.meta.url)
const workerScript = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url))

export const hasRedis = await redisAnswers()

/** Under CI the suite must run: without Redis, this test fails instead of everything skipping. */
export function requireRedisInCi(): void {
  if (process.env.CI === 'true') {
    it('has a Redis to run against (required under CI=true)', () => {
      if (!hasRedis) throw new Error(`no Redis answers at ${REDIS_URL}; .ci/run starts one (scripts/redis.mjs --ensure)`)
    })
  }
}

/** A queue name of its own for one test, whose keys are deleted after the file. */
export function freshQueue(label: string): string {
  const queue = `t-${label}-${randomBytes(4).toString('hex')}`
  queues.push(queue)
  return queue
}
const queues: string[] = []

/** Every key of a queue (BullMQ's and ours). */
async function queueKeys(redis: Redis, queue: string): Promise<string[]> {
  const found: string[] = []
  for (const pattern of [`bull:${queue}:*`, `x:${queue}:*`]) {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      found.push(...keys)
    } while (cursor !== '0')
  }
  return found
}

/** Deletes every key of a queue (BullMQ's and ours). */
export async function deleteQueueKeys(queue: string): Promise<void> {
  const redis = new Redis(REDIS_URL)
  try {
    const found = await queueKeys(redis, queue)
    if (found.length > 0) await redis.del(...found)
  } finally {
    redis.disconnect()
  }
}

/** A worker process (test/fixtures/worker.mjs: serve() on an AsyncPoolExecutor). */
export interface WorkerProcess {
  readonly child: StartedProcess['child']
  readonly id: string
  output(): string
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | string>
}

/** Starts a worker process and waits until it serves. */
export async function startWorker(options: {
  queue: string
  concurrency?: number
  allowSource?: boolean
  heartbeat?: number
  root?: URL
  /** what its SIGTERM handler gives `close({ timeout })` (default 5000 ms) */
  closeTimeout?: number
}): Promise<WorkerProcess> {
  const args = JSON.stringify({ ...options, root: (options.root ?? root).href })
  const { child, ready, output, exited } = await startProcess(workerScript, [args], /ready (\S+)/, 'worker')
  return { child, id: ready[1] ?? '', output, exited }
}

/** Kills every worker process a test file started, and deletes the keys of its queues. */
export function cleanUpAfterAll(): void {
  afterAll(async () => {
    killStarted()
    if (hasRedis) await Promise.all(queues.splice(0).map(deleteQueueKeys))
  })
}

/** Polls until `condition` holds, or fails after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const start = Date.now()
  while (!(await condition())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** BullMQ's bookkeeping of a queue (not of any job), and the registrations of live workers. */
const BOOKKEEPING = /^(bull:[^:]+:(meta|id|events|stalled-check|marker|stalled)|x:[^:]+:(workers|worker:.*))$/

/** The keys of a queue besides its bookkeeping and its workers' registrations: jobs, result lists, markers, aborts. */
export async function leftoverKeys(queue: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL)
  try {
    return (await queueKeys(redis, queue)).filter((key) => !BOOKKEEPING.test(key)).sort()
  } finally {
    redis.disconnect()
  }
}

/**
 * Counts the commands Redis runs that match `pattern` (on their MONITOR line: `"rpush" "key" ...`,
 * binary arguments escaped), through a plain socket: ioredis' monitor mode can mistake a line for
 * a reply while the server is busy. `stop()` resolves with the count of the commands Redis ran
 * before it was called.
 */
export async function countCommands(pattern: RegExp): Promise<{ stop(): Promise<number> }> {
  const { hostname, port } = new URL(REDIS_URL)
  const socket = connect(Number(port || 6379), hostname)
  const marker = `x-test-marker-${randomBytes(6).toString('hex')}`
  let count = 0
  let rest = ''
  let sawMarker: (() => void) | undefined
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.write('MONITOR\r\n')
    })
    socket.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('latin1')).split('\r\n')
      rest = lines.pop() ?? ''
      for (const line of lines) {
        if (line === '+OK') resolve()
        else if (line.includes(marker)) sawMarker?.()
        else if (pattern.test(line)) count++
      }
    })
  })
  return {
    stop: async () => {
      if (socket.destroyed) return count
      // Redis writes MONITOR lines in the order it runs the commands: once this one's is read, every earlier one was
      const seen = new Promise<void>((resolve) => (sawMarker = resolve))
      const redis = new Redis(REDIS_URL)
      try {
        await redis.echo(marker)
        await seen
      } finally {
        redis.disconnect()
        socket.destroy()
      }
      return count
    },
  }
}

/**
 * A temporary folder for the records a test file's tasks write (made before its tests, removed
 * after them): returns the path of a file in it by name.
 */
export function scratchFiles(prefix: string): (name: string) => string {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return (name) => join(dir, name)
}

/** The lines tasks recorded in `file` (none when it does not exist yet). */
export function recordedLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []
}
