// A worker on its own thread's AsyncPoolExecutor with hooksOffBetweenTasks() (x-worker --backend
// async): synchronous jobs leave currentTask()'s async hooks off between them, so BullMQ's and
// ioredis's promises do not pay for them. Nothing the worker does around a job may count as the
// job's task starting something asynchronous (say, making the nested-work executor inside the
// first job's task). Runs in a fresh thread: the hook mode is per thread.
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

describe.skipIf(!hasRedis)('serve() on an AsyncPoolExecutor with hooksOffBetweenTasks()', () => {
  it('runs synchronous jobs with the task hooks off between them (the mode never turns sticky)', async () => {
    const thread = new Worker(new URL('./fixtures/hooks-off-serve.mjs', import.meta.url), {
      workerData: { url: REDIS_URL, queue: freshQueue('hooks-off'), root: root.href },
    })
    try {
      const seen = await new Promise<{ right: boolean; sticky: boolean; enabled: boolean }>((resolve, reject) => {
        thread.once('message', resolve)
        thread.once('error', reject)
        thread.once('exit', (code) => { reject(new Error(`the thread exited (${String(code)}) without an answer`)) })
      })
      expect(seen).toEqual({ right: true, sticky: false, enabled: false })
    } finally {
      await thread.terminate()
    }
  })
})
