// DeadlockError: its shape, and its trip into a worker through @x/future's error serialization.
import { describe, expect, it } from 'vitest'
import { deserializeError, FutureError, serializeError } from '@x/future'
import { DeadlockError, formatReport, isDeadlockError } from '@x/diagnostics'
import type { DeadlockReport } from '@x/diagnostics'

const report: DeadlockReport = {
  kind: 'cycle',
  summary: 'cycle of 2 tasks in io',
  chain: [
    'Task #1 "a" (io, worker 0) waits for Future #2, which is running as Task #2 "b" (worker 1)',
    'Task #2 "b" (io, worker 1) waits for Future #1, which is running as Task #1 "a" (worker 0)',
  ],
  hint: 'tasks wait for each other',
  action: 'throw',
  victimWaitId: 8,
  victimTaskId: 2,
  note: null,
  executors: [
    {
      node: 'P1',
      id: 1,
      kind: 'async',
      name: 'io',
      maxWorkers: 2,
      lent: 0,
      shutdown: false,
      slots: [
        { workerId: 0, taskId: 1, taskName: 'a', blocked: true },
        { workerId: 1, taskId: 2, taskName: 'b', blocked: true },
      ],
      queued: [],
      queuedCount: 0,
      role: 'other',
    },
  ],
  tasks: [
    { node: 'T1', id: 1, name: 'a', executorId: 1, state: 'running', workerId: 0, queuePosition: null, blocked: true, waitIds: [7], role: 'core' },
    { node: 'T2', id: 2, name: 'b', executorId: 1, state: 'running', workerId: 1, queuePosition: null, blocked: true, waitIds: [8], role: 'core' },
  ],
  waits: [
    { node: 'T1', id: 7, taskId: 1, orphaned: false, futureIds: [2], mode: 'all', timeout: null, stack: '    at a (file:///app.js:3:9)', victim: false, role: 'core' },
    { node: 'T2', id: 8, taskId: 2, orphaned: false, futureIds: [1], mode: 'all', timeout: null, stack: '    at b (file:///app.js:7:9)', victim: true, role: 'core' },
  ],
  edges: [
    { from: 'T1', to: 'T2', label: 'waits for', waitId: 7, role: 'core' },
    { from: 'T2', to: 'T1', label: 'waits for', waitId: 8, role: 'core' },
  ],
}

describe('DeadlockError', () => {
  it('is a FutureError with code ERR_DEADLOCK, the report, and the victim wait as its stack', () => {
    const error = new DeadlockError(report)
    expect(error).toBeInstanceOf(FutureError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('DeadlockError')
    expect(error.code).toBe('ERR_DEADLOCK')
    expect(error.kind).toBe('cycle')
    expect(error.report).toBe(report)
    expect(error.message).toBe(
      [
        'deadlock detected: cycle of 2 tasks in io',
        '  Task #1 "a" (io, worker 0) waits for Future #2, which is running as Task #2 "b" (worker 1)',
        '  Task #2 "b" (io, worker 1) waits for Future #1, which is running as Task #1 "a" (worker 0)',
        'Hint: tasks wait for each other',
      ].join('\n'),
    )
    expect(error.stack).toBe(`DeadlockError [ERR_DEADLOCK]: ${error.message}\n    at b (file:///app.js:7:9)`)
  })

  it('keeps name, code, message and report through serializeError/deserializeError (a worker boundary)', () => {
    const data = structuredClone(serializeError(new DeadlockError(report)))
    const copy = deserializeError(data)
    expect(copy).toBeInstanceOf(Error)
    expect(copy).not.toBeInstanceOf(DeadlockError) // a plain Error on the other side...
    expect(isDeadlockError(copy)).toBe(true) // ...that the guard still recognizes
    const rebuilt = copy as Error & { code: string; report: DeadlockReport }
    expect(rebuilt.name).toBe('DeadlockError')
    expect(rebuilt.code).toBe('ERR_DEADLOCK')
    expect(rebuilt.message).toBe(new DeadlockError(report).message)
    expect(rebuilt.report).toEqual(report)
    expect(formatReport(rebuilt.report)).toBe(formatReport(report))
  })

  it('isDeadlockError tells a DeadlockError from look-alikes', () => {
    const named = Object.assign(new Error('x'), { name: 'DeadlockError' })
    expect(isDeadlockError(named)).toBe(false)
    expect(isDeadlockError({ name: 'DeadlockError', report })).toBe(false)
    expect(isDeadlockError(undefined)).toBe(false)
    expect(isDeadlockError(new DeadlockError(report))).toBe(true)
  })

  it('DOT and Mermaid escape names with quotes, backslashes, newlines and markup', () => {
    const name = ['say "hi" \\ <b>x</b>', 'next line'].join('\n')
    const odd: DeadlockReport = { ...report, tasks: report.tasks.map((task) => ({ ...task, name })) }
    const dotLine = formatReport(odd, 'dot')
      .split('\n')
      .find((line) => line.startsWith('  T1 ['))
    // one line per node; inside the quoted label every quote and backslash is escaped
    expect(dotLine).toBe(String.raw`  T1 [shape=box, color=red, label="Task #1 \"say \\\"hi\\\" \\\\ <b>x</b>\\nnext line\"\nio, worker 0"];`)
    const mermaidLine = formatReport(odd, 'mermaid')
      .split('\n')
      .find((line) => line.startsWith('  T1['))
    expect(mermaidLine?.split('"')).toHaveLength(3) // only the two delimiting quotes
    expect(mermaidLine).not.toContain('<b>')
    expect(mermaidLine).toContain('#lt;b#gt;x#lt;/b#gt;')
  })

  it('formatReport refuses an unknown format, naming the choices', () => {
    expect(() => formatReport(report, 'svg' as 'dot')).toThrow(new RangeError(`format must be 'text', 'dot', 'mermaid' or 'json', got "svg"`))
  })
})
