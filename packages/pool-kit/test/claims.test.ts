import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { CLAIM_CANCELLED, CLAIM_PENDING, CLAIM_RUNNING, ClaimWords } from '../src/claims.js'

describe('ClaimWords', () => {
  it('exactly one side wins a slot: the worker (run) or the main thread (cancel)', () => {
    const main = new ClaimWords(undefined, 8)
    const worker = new ClaimWords(main.buffer)
    const a = main.allocate()
    const b = main.allocate()
    expect(worker.claimRun(a)).toBe(true)
    expect(main.claimCancel(a)).toBe(false)
    expect(main.read(a)).toBe(CLAIM_RUNNING)
    expect(main.claimCancel(b)).toBe(true)
    expect(worker.claimRun(b)).toBe(false)
    expect(main.read(b)).toBe(CLAIM_CANCELLED)
  })

  it('reuses released slots, reset to PENDING, and says when it is full', () => {
    const claims = new ClaimWords(undefined, 2)
    const a = claims.allocate()
    claims.allocate()
    expect(claims.allocate()).toBe(-1)
    claims.claimRun(a)
    claims.release(a)
    expect(claims.allocate()).toBe(a)
    expect(claims.read(a)).toBe(CLAIM_PENDING)
    expect(claims.capacity).toBe(2)
  })

  it('holds across threads: a real worker and the main thread race on 2,000 slots, each slot has one winner', async () => {
    const claims = new ClaimWords(undefined, 2000)
    const slots = Array.from({ length: 2000 }, () => claims.allocate())
    const source = `
      const { parentPort, workerData } = require('node:worker_threads')
      const words = new Int32Array(workerData)
      let won = 0
      for (let i = 0; i < words.length; i++) if (Atomics.compareExchange(words, i, 0, 1) === 0) won++
      parentPort.postMessage(won)`
    const worker = new Worker(source, { eval: true, workerData: claims.buffer })
    let mainWon = 0
    for (const slot of slots.reverse()) if (claims.claimCancel(slot)) mainWon++
    const workerWon = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    expect(mainWon + workerWon).toBe(2000)
    for (const slot of slots) expect([CLAIM_RUNNING, CLAIM_CANCELLED]).toContain(claims.read(slot))
  })

  it("notes when a worker thread claimed a slot, read back on the main thread's performance.now() clock", async () => {
    const claims = new ClaimWords(undefined, 4)
    const slot = claims.allocate()
    expect(claims.startedAt(slot)).toBeUndefined()
    const before = performance.now()
    const worker = new Worker(new URL('./fixtures/claim-start.mjs', import.meta.url), { workerData: { buffer: claims.buffer, starts: claims.startsBuffer } })
    const claimed = await new Promise<boolean>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    const after = performance.now()
    await worker.terminate()
    expect(claimed).toBe(true)
    const at = claims.startedAt(slot) ?? Number.NaN
    // (a start moment between the two readings; 1 ms of slack for float rounding of the clocks' offset)
    expect(at).toBeGreaterThanOrEqual(before - 1)
    expect(at).toBeLessThanOrEqual(after + 1)
  })
})
