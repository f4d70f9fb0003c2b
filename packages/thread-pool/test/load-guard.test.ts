// The load guard (src/load-guard.ts): the pool terminates a thread only outside a require() of a
// module. The thread's side (dist/thread-entry.cjs's guardedRequire) is played here by hand, or by
// a worker thread for the synchronous wait at the process's exit.
import { Worker } from 'node:worker_threads'
import { expect, it } from 'vitest'
import { ENDED, ENDING, FREE, LOADING, afterLoads, newLoadGuard, settleLoadsAtExit } from '../dist/load-guard.js'

const guardOf = (state: number): Int32Array => {
  const guard = newLoadGuard()
  if (guard === undefined) throw new Error('no guard on the main thread')
  Atomics.store(guard, 0, state)
  return guard
}

it('a thread with no require() under way is terminated at once, and can start none after', () => {
  for (const state of [FREE, ENDED]) {
    const guard = guardOf(state)
    let terminated = 0
    afterLoads(guard, () => terminated++)
    expect(terminated).toBe(1)
    expect(Atomics.load(guard, 0)).toBe(ENDED)
    // the thread's compare-and-swap before a require() fails: it does not start one
    expect(Atomics.compareExchange(guard, 0, FREE, LOADING)).toBe(ENDED)
  }
})

it('a thread inside a require() is terminated only once it says the require() is over', async () => {
  const guard = guardOf(LOADING)
  let terminated = 0
  const done = new Promise<void>((resolve) => {
    afterLoads(guard, () => {
      terminated++
      resolve()
    })
  })
  expect(Atomics.load(guard, 0)).toBe(ENDING)
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(terminated).toBe(0)
  // the thread, after its require(): it cannot go back to FREE, so it says it is done
  expect(Atomics.compareExchange(guard, 0, LOADING, FREE)).toBe(ENDING)
  Atomics.store(guard, 0, ENDED)
  Atomics.notify(guard, 0)
  await done
  expect(terminated).toBe(1)
})

it('no guard (a pool off the main thread): terminated at once', () => {
  let terminated = 0
  afterLoads(undefined, () => terminated++)
  expect(terminated).toBe(1)
})

it('at the process exit the pool waits synchronously for the require() calls under way, and ends every guard', async () => {
  const free = guardOf(FREE)
  const loading = guardOf(LOADING)
  // a thread that ends its "require()" a little later, as guardedRequire does
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads')
    const guard = new Int32Array(workerData)
    parentPort.postMessage('ready')
    const until = Date.now() + 50
    while (Date.now() < until);
    Atomics.wait(guard, 0, ${String(LOADING)}, 5000) // until the pool asks (ENDING)
    if (Atomics.compareExchange(guard, 0, ${String(LOADING)}, ${String(FREE)}) !== ${String(LOADING)}) {
      Atomics.store(guard, 0, ${String(ENDED)})
      Atomics.notify(guard, 0)
    }`,
    { eval: true, workerData: loading.buffer },
  )
  try {
    await new Promise((resolve) => worker.once('message', resolve))
    settleLoadsAtExit([free, loading])
    expect([Atomics.load(free, 0), Atomics.load(loading, 0)]).toEqual([ENDED, ENDED])
  } finally {
    await worker.terminate()
  }
})
