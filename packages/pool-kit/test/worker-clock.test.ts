import { describe, expect, it } from 'vitest'
import type { FromWorker } from '../src/protocol.js'
import type { WorkerLink } from '../src/worker/nested.js'
import { monotonicMs } from '../src/clock.js'
import { WorkerRuntime } from '../src/worker/runtime.js'

/** A link that keeps what the runtime sends. */
function recordingLink(): { link: WorkerLink; results: [number, unknown, number][]; messages: FromWorker[] } {
  const results: [number, unknown, number][] = []
  const messages: FromWorker[] = []
  const link: WorkerLink = {
    send: (message) => {
      messages.push(message)
    },
    sendResult: (id, value, meanMs) => {
      results.push([id, value, meanMs])
    },
    kind: 'process',
    label: 'test pool',
    maxWorkers: 1,
    peer: 'the parent process',
    poolNoun: 'process pool',
    serializationCode: 'ERR_TEST',
  }
  return { link, results, messages }
}

/** Waits until `done()` holds (the callable loads asynchronously), for 5 s at most. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('WorkerRuntime clock option', () => {
  it('times tasks and reports their start with the clock it is given', async () => {
    const { link, results } = recordingLink()
    // a clock far from performance.now(): each reading 10 ms after the one before
    let clock = 1e9
    const starts: number[] = []
    const runtime = new WorkerRuntime(link, {
      clock: () => (clock += 10),
      beforeStart: (_id, _slot, _ticket, at) => {
        starts.push(at)
        return true
      },
    })
    runtime.receive({
      type: 'run',
      batch: { ids: [1], specIds: [1], specs: [{ specId: 1, spec: { kind: 'source', source: '(x) => x + 1', name: 'inc' } }], args: [[41]], names: ['inc'] },
    })
    await until(() => results.length === 1)
    expect(results[0]?.[0]).toBe(1)
    expect(results[0]?.[1]).toBe(42)
    expect(starts).toHaveLength(1)
    expect(starts[0]).toBeGreaterThan(1e9)
    expect((starts[0] ?? 0) % 10).toBe(0)
    // how long it ran: readings of that clock apart
    expect(results[0]?.[2]).toBeGreaterThan(0)
    expect((results[0]?.[2] ?? 0) % 10).toBe(0)
  })

  it('uses the monotonic clock without one', async () => {
    const { link, results } = recordingLink()
    const starts: number[] = []
    const runtime = new WorkerRuntime(link, {
      beforeStart: (_id, _slot, _ticket, at) => {
        starts.push(at)
        return true
      },
    })
    const before = monotonicMs()
    runtime.receive({
      type: 'run',
      batch: { ids: [2], specIds: [1], specs: [{ specId: 1, spec: { kind: 'source', source: '(x) => x * 2', name: 'double' } }], args: [[21]], names: ['double'] },
    })
    await until(() => results.length === 1)
    expect(results[0]?.[1]).toBe(42)
    expect(starts[0]).toBeGreaterThanOrEqual(before)
    expect(starts[0]).toBeLessThanOrEqual(monotonicMs())
  })

  it("leaves its callable's load out of a task's time (the first call would read as long)", async () => {
    const { link, results } = recordingLink()
    // a clock that only the task module's load moves (fixtures/slow-load.mjs: by 1000)
    const clock = globalThis as { testClock?: number }
    clock.testClock = 0
    const runtime = new WorkerRuntime(link, { clock: () => clock.testClock ?? 0 })
    const spec = { kind: 'task' as const, module: new URL('./fixtures/slow-load.mjs', import.meta.url).href, exportName: 'inc', name: 'inc' }
    runtime.receive({ type: 'run', batch: { ids: [3], specIds: [1], specs: [{ specId: 1, spec }], args: [[1]], names: ['inc'] } })
    await until(() => results.length === 1)
    expect(clock.testClock).toBe(1000)
    expect(results[0]?.[1]).toBe(2)
    expect(results[0]?.[2]).toBe(0)
  })
})
