// A thread compiles the bundled worker with the V8 code cache that the process's first thread
// made just before its first result (thread-entry.cts): later threads, of any pool, use it.
import { task } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { expect, it } from 'vitest'

const state = task<() => string>(new URL('./fixtures/code-cache.mjs', import.meta.url), 'codeCacheState')

async function stateOfANewThread(): Promise<string> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 })
  try {
    return await pool.submit(state).result()
  } finally {
    await pool.shutdown()
  }
}

it("the process's first thread makes the code cache, later threads use it", async () => {
  // 'none' when no thread of this process ran before (vitest isolates each test file), else the
  // cache an earlier one made
  expect(['none', 'used']).toContain(await stateOfANewThread())
  expect(await stateOfANewThread()).toBe('used')
  expect(await stateOfANewThread()).toBe('used')
})

it('a thread whose cache was made by another pool of the process uses it too, beside a thread started at the same time', async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2, minWorkers: 2 })
  try {
    const states = await Promise.all([pool.submit(state).result(), pool.submit(state).result()])
    expect(states).toEqual(['used', 'used'])
  } finally {
    await pool.shutdown()
  }
})
