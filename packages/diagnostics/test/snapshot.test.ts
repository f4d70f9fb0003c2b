// detector.snapshot(): the live wait-for graph, and the detector's footprint on the process.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor } from '@x/future'
import { detectDeadlocks } from '@x/diagnostics'
import type { DeadlockDetector } from '@x/diagnostics'
import { gate, sleep, within } from './helpers/observe.js'

let detector: DeadlockDetector | undefined
afterEach(() => {
  detector?.stop()
  detector = undefined
})

describe('snapshot()', () => {
  it('shows executors, slots, queues and open waits, and marks a deadlock (warn mode keeps it alive)', { timeout: 10_000 }, async () => {
    detector = detectDeadlocks({ onDeadlock: 'warn' })
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning)
    }
    process.on('warning', onWarning)
    const cpu = new AsyncPoolExecutor({ maxWorkers: 1, name: 'cpu' })
    const io = new AsyncPoolExecutor({ maxWorkers: 2, name: 'io' })
    const release = gate()
    try {
      const healthy = io.submitWith({ name: 'healthy' }, async () => release.promise)
      let inner: ReturnType<typeof cpu.submit> | undefined
      const outer = cpu.submitWith({ name: 'outer' }, async () => {
        inner = cpu.submitWith({ name: 'inner' }, () => 'inner')
        return await inner.result()
      })
      await sleep(5)
      const snapshot = detector.snapshot()
      expect(snapshot.deadlockedWaits).toBe(1)
      expect(snapshot.executors.map((e) => [e.name, e.slots.length, e.queuedCount])).toEqual([
        ['cpu', 1, 1],
        ['io', 1, 0],
      ])
      expect(snapshot.tasks.map((t) => [t.name, t.state, t.role])).toEqual([
        ['healthy', 'running', 'other'],
        ['outer', 'running', 'core'],
        ['inner', 'queued', 'core'],
      ])
      const text = snapshot.toString()
      expect(text.split('\n')[0]).toBe('wait-for graph: 2 executors, 3 tasks (2 running, 1 queued), 1 open waits, 1 deadlocked')
      expect(text).toContain('cpu (async): maxWorkers 1, running 1 (blocked 1), queued 1')
      expect(text).toContain(`  worker 0: Task #${String(outer.id)} "outer" (blocked)`)
      expect(text).toMatch(new RegExp(`wait #\\d+: Task #${String(outer.id)} "outer" waits for all of #${String(inner?.id)} \\[DEADLOCKED: core\\]`))
      const dot = snapshot.toDOT()
      expect(dot).toContain(`T${String(outer.id)} -> T${String(inner?.id)}`)
      expect(dot).toContain(`T${String(inner?.id)} -> P`)
      expect(snapshot.toMermaid()).toMatch(/^flowchart LR\n/)
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot.toJSON())
      expect(warnings.map((w) => w.name)).toEqual(['DeadlockWarning'])
      // Un-stick it: cancel the inner task, the outer fails with CancelledError.
      inner?.cancel()
      await within(outer.exception(), 5_000, 'outer')
      release.open()
      await within(healthy.result(), 5_000, 'healthy')
      const after = detector.snapshot()
      expect([after.tasks.length, after.waits.length, after.deadlockedWaits]).toEqual([0, 0, 0])
    } finally {
      process.off('warning', onWarning)
      release.open()
      await Promise.all([cpu.shutdown(), io.shutdown()])
    }
  })
})

describe('footprint', () => {
  it('an open untimed wait never keeps the process alive (the safety-net timer is unref\'d)', { timeout: 15_000 }, () => {
    const script = `
      import { channels, newWaitId } from '@x/future'
      import { detectDeadlocks } from '@x/diagnostics'
      const detector = detectDeadlocks()
      channels.executorCreate.publish({ executorId: 1, kind: 'x', name: 'x', maxWorkers: 1, lendWorker: () => undefined })
      channels.futureSubmit.publish({ futureId: 1, executorId: 1, name: 'a', callerTaskId: undefined })
      channels.futureStart.publish({ futureId: 1, executorId: 1, workerId: 0 })
      // a wait that never ends, on a hand-made future: no deadlock, but an open untimed wait
      channels.waitStart.publish({ waitId: newWaitId(), taskId: 1, futureIds: [999], mode: 'all', timeout: undefined, stack: '', reject() {} })
      console.log('published', detector.snapshot().waits.length)
    `
    const cwd = fileURLToPath(new URL('..', import.meta.url))
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 10_000 })
    expect(child.error).toBeUndefined()
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe('published 1')
    expect(child.status).toBe(0)
  })

  it('with no detector nothing subscribes: executors publish nothing', () => {
    detector = detectDeadlocks()
    detector.stop()
    // Every channel is back to no subscribers (so publishers skip building events).
    return import('@x/future').then(({ channels }) => {
      for (const channel of Object.values(channels)) expect(channel.hasSubscribers).toBe(false)
    })
  })
})
