// Volume and process lifetime: 20,000 tasks at once, an idle client exiting by itself, a client exiting after shutdown().
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { task } from '@x/future'
import { DistributedExecutor } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, startWorker } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const add = task<(a: number, b: number) => number>(new URL('tasks.mjs', root), 'add')

describe.skipIf(!hasRedis)('volume', () => {
  it('20,000 tasks submitted at once all complete, each with its own result (nothing lost)', { timeout: 120_000 }, async () => {
    const queue = freshQueue('volume')
    await Promise.all([startWorker({ queue, concurrency: 50 }), startWorker({ queue, concurrency: 50 })])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 200 })
    const n = 20_000
    const futures = Array.from({ length: n }, (_, i) => ex.submit(add, i, 1))
    const results = await Promise.all(futures)
    expect(results).toHaveLength(n)
    results.forEach((value, i) => {
      if (value !== i + 1) throw new Error(`task ${String(i)} returned ${String(value)}`)
    })
    expect(futures.every((f) => f.state === 'FINISHED')).toBe(true)
  })
})

describe.skipIf(!hasRedis)('process lifetime', () => {
  it('an idle client exits by itself once its futures are done', async () => {
    const queue = freshQueue('idle')
    await startWorker({ queue, concurrency: 1 })
    const script = fileURLToPath(new URL('./fixtures/idle-client.mjs', import.meta.url))
    const result = spawnSync(process.execPath, [script, queue, root.href], {
      env: { ...process.env, REDIS_URL },
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    })
    expect(result.signal, `the client did not exit by itself:\n${result.stdout}${result.stderr}`).toBeNull()
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('sum 10')
  })

  it('a client whose last step is `await ex.shutdown()` exits 0 once shutdown is done', async () => {
    // An idle executor's sockets do not keep the process alive; shutdown() must, until it ends,
    // or a script ending with it exits with its top-level await unsettled (code 13).
    const queue = freshQueue('shutdown-last')
    await startWorker({ queue, concurrency: 1 })
    const script = fileURLToPath(new URL('./fixtures/submit-one.mjs', import.meta.url))
    const result = spawnSync(process.execPath, [script, queue, root.href, 'add', '[1, 2]'], {
      env: { ...process.env, REDIS_URL },
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    })
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain('result 3')
    expect(result.stdout).toContain('shut down')
  })
})
