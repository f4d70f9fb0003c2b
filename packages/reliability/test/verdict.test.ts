// The judge's one allowance for SIGKILLs from outside (verdict.ts): a worker the start log shows
// idle may fail one call (one about to log its start, or one whose result was on its way); two,
// or one more than a busy worker was running, or any without a SIGKILL, are still violations.
import { describe as group, expect, it } from 'vitest'
import { ProcessExitError } from '@x/process-pool'
import { judge, processBackend } from '../dist/index.js'
import type { CallRecord } from '../dist/index.js'

const killed = (pid: number, signal = 'SIGKILL'): ProcessExitError =>
  new ProcessExitError('gone', { exitCode: undefined, signal, pid })

function record(id: number, error: unknown): CallRecord {
  return {
    id,
    action: 'ok',
    cancelAccepted: false,
    abortReason: undefined,
    shutdownCancel: false,
    settleCount: 1,
    submittedAt: 0,
    settledAt: 0,
    outcome: { kind: 'error', error },
  }
}

interface Trace { pid: number; threadId: number; ended: boolean }
const run = (records: CallRecord[], starts: [number, Trace][]) => judge(records, new Map(starts), processBackend, () => undefined)

group('judge: kills from outside', () => {
  it('an idle worker killed by SIGKILL may fail the one call about to start, or the one that had just ended', () => {
    const unlogged = run([record(1, killed(10))], [])
    expect(unlogged.violations).toEqual([])
    expect(unlogged.killRaces).toBe(1)
    const ended = run([record(2, killed(11))], [[2, { pid: 11, threadId: 0, ended: true }]])
    expect(ended.violations).toEqual([])
    expect(ended.killRaces).toBe(1)
  })

  it('two calls from an idle worker, or one more than a busy one ran, are collateral', () => {
    expect(run([record(1, killed(10)), record(2, killed(10))], []).violations).toHaveLength(2)
    const busy = run(
      [record(1, killed(12)), record(2, killed(12))],
      [[1, { pid: 12, threadId: 0, ended: false }]],
    )
    expect(busy.violations).toEqual([expect.stringMatching(/^call 2 \(ok\): failed with a death error, but the call never started/)])
    expect(run([record(3, killed(13)), record(4, killed(13))], [[3, { pid: 13, threadId: 0, ended: false }]]).violations).toHaveLength(1)
  })

  it('without a SIGKILL there is no allowance', () => {
    expect(run([record(1, killed(14, 'SIGTERM'))], []).violations).toHaveLength(1)
    expect(run([record(2, killed(15, 'SIGTERM'))], [[2, { pid: 15, threadId: 0, ended: true }]]).violations).toHaveLength(1)
  })
})
