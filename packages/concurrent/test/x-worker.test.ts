// x-worker, the bin: real processes against a real Redis (REDIS_URL, default redis://127.0.0.1:6379).
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeExecutorConformance } from '@x/future/testing'
import { DistributedExecutor, WorkerLostError, task } from '../src/index.js'
import { REDIS_URL, killStarted, redisAnswers, startProcess } from '../../../scripts/test-utils/processes.mjs'
import type { StartedProcess } from '../../../scripts/test-utils/processes.mjs'

const bin = fileURLToPath(new URL('../dist/x-worker.js', import.meta.url))
const root = new URL('./fixtures/root/', import.meta.url)
const tasks = new URL('tasks.mjs', root)
const where = task<() => { pid: number; threadId: number }>(tasks, 'where')
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(tasks, 'recordThenWait')

const hasRedis = await redisAnswers()
if (process.env.CI === 'true') {
  it('has a Redis to run the x-worker tests against (required under CI=true)', () => {
    expect(hasRedis, `no Redis answers at ${REDIS_URL}`).toBe(true)
  })
}

const queues: string[] = []
const freshQueue = (label: string): string => {
  const queue = `t-xw-${label}-${randomBytes(4).toString('hex')}`
  queues.push(queue)
  return queue
}
let dir = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'x-worker-'))
})
afterAll(async () => {
  killStarted()
  rmSync(dir, { recursive: true, force: true })
  if (!hasRedis) return
  const redis = new Redis(REDIS_URL)
  for (const queue of queues) {
    for (const pattern of [`bull:${queue}:*`, `x:${queue}:*`]) {
      const found = await redis.keys(pattern)
      if (found.length > 0) await redis.del(...found)
    }
  }
  redis.disconnect()
})

/** Starts `x-worker ...args` and waits for its "serving" line. */
const startXWorker = (args: string[]): Promise<StartedProcess> => startProcess(bin, args, /serving queue/, 'x-worker')

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [])

describe('x-worker flags', () => {
  const run = (args: string[]): { status: number | null; stderr: string } => {
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' })
    return { status: result.status, stderr: result.stderr }
  }

  it.each([
    [['--root', '/tmp'], '--queue is required'],
    [['--queue', 'q'], '--root is required'],
    [['--queue', 'q', '--root', '/tmp', '--backend', 'gpu'], '--backend must be thread, process or async'],
    [['--queue', 'q', '--root', '/tmp', '--concurrency', '0'], '--concurrency must be a whole number >= 1'],
    [['--queue', 'q', '--root', '/tmp', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['--queue', 'q', '--root', '/tmp', '--connection', 'http://x'], '--connection must be a redis:// or rediss:// URL'],
  ])('exits 2 on bad flags: %j', (args, message) => {
    const { status, stderr } = run(args)
    expect(status).toBe(2)
    expect(stderr).toContain(message)
    expect(stderr).toContain('usage: x-worker')
  })

  it('exits 2 with a clear message when Redis cannot be reached', () => {
    const { status, stderr } = run(['--queue', 'q', '--root', '/tmp', '--connection', 'redis://127.0.0.1:1'])
    expect(status).toBe(2)
    expect(stderr).toContain('could not reach Redis at redis://127.0.0.1:1')
  })
})

describe.skipIf(!hasRedis)('DistributedExecutor with two x-worker processes (thread backend)', () => {
  const queue = freshQueue('conformance')
  beforeAll(async () => {
    const args = ['--queue', queue, '--root', fileURLToPath(root), '--concurrency', '3', '--allow-source', '--heartbeat', '500']
    await Promise.all([startXWorker(args), startXWorker(args)])
  })
  describeExecutorConformance('DistributedExecutor over x-worker', ({ maxWorkers, maxQueue }) => new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers, maxQueue }), {
    progress: true,
    stream: true,
  })
})

describe.skipIf(!hasRedis)('x-worker processes', () => {
  it('runs tasks on its backend: threads by default, child processes with --backend process', async () => {
    const threads = freshQueue('thread')
    const processes = freshQueue('process')
    const t = await startXWorker(['--queue', threads, '--root', fileURLToPath(root), '--concurrency', '2'])
    const p = await startXWorker(['--queue', processes, '--root', fileURLToPath(root), '--concurrency', '2', '--backend', 'process'])
    await using onThreads = new DistributedExecutor({ connection: REDIS_URL, queue: threads, root, maxWorkers: 2 })
    await using onProcesses = new DistributedExecutor({ connection: REDIS_URL, queue: processes, root, maxWorkers: 2 })
    const a = await onThreads.submit(where)
    expect(a.pid).toBe(t.child.pid)
    expect(a.threadId).toBeGreaterThan(0)
    const b = await onProcesses.submit(where)
    expect(b.pid).not.toBe(p.child.pid)
    expect(t.output()).toContain('thread backend, concurrency 2, function source refused')
  })

  it('SIGTERM: finishes the running job, then exits 0', async () => {
    const queue = freshQueue('term')
    const worker = await startXWorker(['--queue', queue, '--root', fileURLToPath(root), '--concurrency', '1'])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const record = join(dir, 'term-runs')
    const latch = join(dir, 'term-latch')
    const f = ex.submit(recordThenWait, record, latch, 'finished')
    await until(() => lines(record).length === 1, 'the job to start')
    worker.child.kill('SIGTERM')
    await until(() => worker.output().includes('stopping'), 'x-worker to say it stops')
    writeFileSync(latch, 'go')
    expect(await f.result(20_000)).toBe('finished')
    expect(await worker.exited).toBe(0)
    expect(worker.output()).toContain('x-worker: stopped')
  })

  it('SIGTERM twice: hands the running job back at once (WorkerLostError), then exits 0', async () => {
    const queue = freshQueue('term-twice')
    const worker = await startXWorker(['--queue', queue, '--root', fileURLToPath(root), '--concurrency', '1'])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const record = join(dir, 'twice-runs')
    const f = ex.submit(recordThenWait, record, join(dir, 'twice-never'), 'unfinished') // its latch is never written
    await until(() => lines(record).length === 1, 'the job to start')
    worker.child.kill('SIGTERM')
    await until(() => worker.output().includes('stopping'), 'x-worker to say it stops')
    worker.child.kill('SIGTERM')
    const error = await f.exception(20_000)
    expect(error).toBeInstanceOf(WorkerLostError)
    expect(String(error)).toContain('handed it back')
    expect(await worker.exited).toBe(0)
    expect(worker.output()).toContain('handing the running jobs back now')
    expect(worker.output()).toContain('x-worker: stopped')
  })

  it('SIGKILL mid-task: WorkerLostError, nothing run twice, the other x-worker keeps serving', async () => {
    const queue = freshQueue('kill')
    const args = ['--queue', queue, '--root', fileURLToPath(root), '--concurrency', '1', '--heartbeat', '400']
    const [a, b] = await Promise.all([startXWorker(args), startXWorker(args)])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2, checkInterval: 200 })
    const record = join(dir, 'kill-runs')
    const latch = join(dir, 'kill-latch')
    const f = ex.submit(recordThenWait, record, latch, 'victim')
    await until(() => lines(record).length === 1, 'the job to start')
    const victim = Number(lines(record)[0]) === a.child.pid ? a : b
    const survivor = victim === a ? b : a
    process.kill(-(victim.child.pid ?? 0), 'SIGKILL')
    const error = await f.exception(10_000)
    expect(error).toBeInstanceOf(WorkerLostError)
    const pids = await Promise.all(Array.from({ length: 4 }, () => ex.submit(where)))
    expect(new Set(pids.map((p) => p.pid))).toEqual(new Set([survivor.child.pid]))
    writeFileSync(latch, 'go')
    expect(lines(record)).toHaveLength(1)
  })
})

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
