// hooksOffBetweenTasks(): currentTask()'s async hooks go off between tasks that ran synchronously
// and started nothing, and stay on once a task starts anything asynchronous; currentTask() reads
// the same inside tasks and everything they start. Each scenario runs in a fresh thread (the mode
// is per thread and, once sticky, stays so).
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'

interface Seen {
  warm: boolean
  outside: number | undefined
  quietMode: { offBetweenTasks: boolean; sticky: boolean; depth: number }
  enabledAfterQuiet?: boolean
  inside?: boolean
  later?: boolean
  after?: boolean
  mode: { offBetweenTasks: boolean; sticky: boolean; depth: number }
}

async function run(scenario: string): Promise<Seen> {
  const worker = new Worker(new URL('./fixtures/hooks-off.mjs', import.meta.url), { workerData: scenario })
  try {
    return await new Promise<Seen>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', (code) => { reject(new Error(`the scenario's thread exited (${String(code)}) without an answer`)) })
    })
  } finally {
    await worker.terminate()
  }
}

describe('hooksOffBetweenTasks()', () => {
  it('synchronous tasks that start nothing leave the hooks off between them; currentTask() is right inside and undefined outside', async () => {
    const seen = await run('quiet')
    expect(seen.warm).toBe(true)
    expect(seen.outside).toBeUndefined()
    expect(seen.mode).toMatchObject({ offBetweenTasks: true, sticky: false, depth: 0 })
    // the tasks started together in one loop of the executor: the hooks went off once, after the last
    expect(seen.enabledAfterQuiet).toBe(false)
  })

  it('tasks started together in one loop, one of them starting a promise: it sees its context, and the hooks stay on', async () => {
    const seen = await run('together')
    expect(seen.quietMode.sticky).toBe(false)
    expect(seen.inside).toBe(true)
    expect(seen.later).toBe(true)
    expect(seen.after).toBe(true)
    expect(seen.mode.sticky).toBe(true)
  })

  it('without it, the mode stays as it was (hooks on once a task ran)', async () => {
    const seen = await run('default')
    expect(seen.warm).toBe(true)
    expect(seen.mode.offBetweenTasks).toBe(false)
  })

  for (const kind of ['timer', 'immediate', 'promise', 'microtask', 'tick']) {
    it(`a synchronous task that starts a ${kind} after the hooks went off: the ${kind} sees its context, and the hooks stay on`, async () => {
      const seen = await run(kind)
      expect(seen.quietMode.sticky).toBe(false)
      expect(seen.inside).toBe(true)
      expect(seen.later).toBe(true)
      expect(seen.after).toBe(true)
      expect(seen.mode.sticky).toBe(true)
    })
  }

  it('an async task after the hooks went off: its continuations see its context', async () => {
    const seen = await run('async')
    expect(seen.quietMode.sticky).toBe(false)
    expect(seen.later).toBe(true)
    expect(seen.mode.sticky).toBe(true)
  })

  it('called after tasks ran in this thread: the hooks stay on for what those tasks started', async () => {
    const seen = await run('late')
    expect(seen.inside).toBe(true)
    expect(seen.after).toBe(true)
    expect(seen.later).toBe(true)
    expect(seen.mode.sticky).toBe(true)
  })

  it('the storage entered without the check (another copy of the package): the hooks stay on for what it started', async () => {
    const seen = await run('foreign')
    expect(seen.after).toBe(true)
    expect(seen.later).toBe(true)
    expect(seen.mode.sticky).toBe(true)
  })
})
