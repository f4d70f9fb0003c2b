import { describe, expect, it } from 'vitest'
import { describeExit, splitDeadWorker } from '../src/dead-worker.js'

describe('splitDeadWorker', () => {
  const held = ['a', 'b', 'c', 'd']

  it('fails the running one, queues what was sent behind it, and names what finished unreported', () => {
    expect(splitDeadWorker(held, 1)).toEqual({ finished: ['a'], running: ['b'], unstarted: ['c', 'd'] })
    expect(splitDeadWorker(held, 0)).toEqual({ finished: [], running: ['a'], unstarted: ['b', 'c', 'd'] })
    expect(splitDeadWorker(held, 3)).toEqual({ finished: ['a', 'b', 'c'], running: ['d'], unstarted: [] })
  })

  it('nothing started (its last call had reported back): everything goes back to the queue', () => {
    expect(splitDeadWorker(held, -1)).toEqual({ finished: [], running: [], unstarted: held })
  })

  it('unknown ("sent means started"): everything it held counts as running', () => {
    expect(splitDeadWorker(held, undefined)).toEqual({ finished: [], running: held, unstarted: [] })
  })
})

describe('describeExit', () => {
  it('names the signal or the exit code', () => {
    expect(describeExit(null, 'SIGKILL')).toMatch(/^was killed by signal SIGKILL \(killed/)
    expect(describeExit(null, 'SIGTERM')).toBe('was killed by signal SIGTERM')
    expect(describeExit(3, null)).toBe('exited with code 3')
    expect(describeExit(134, undefined)).toMatch(/^exited with code 134 \(an abort/)
    expect(describeExit(undefined, undefined)).toBe('exited')
  })
})
