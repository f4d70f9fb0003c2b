import { describe, expect, it } from 'vitest'
import { StartBackoff } from '../src/start-backoff.js'

describe('StartBackoff', () => {
  it('retries after 20 ms, doubling, and gives up on the 5th failure in a row', () => {
    const backoff = new StartBackoff()
    expect(backoff.delayMs).toBe(0)
    expect(backoff.failed()).toEqual({ retry: true, delayMs: 20 })
    expect(backoff.failed()).toEqual({ retry: true, delayMs: 40 })
    expect(backoff.failed()).toEqual({ retry: true, delayMs: 80 })
    expect(backoff.failed()).toEqual({ retry: true, delayMs: 160 })
    expect(backoff.failed()).toEqual({ retry: false, failures: 5 })
  })

  it('a start that succeeds resets the count', () => {
    const backoff = new StartBackoff(10, 3)
    backoff.failed()
    backoff.failed()
    backoff.started()
    expect(backoff.failures).toBe(0)
    expect(backoff.delayMs).toBe(0)
    expect(backoff.failed()).toEqual({ retry: true, delayMs: 10 })
  })
})
