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
    expect(backoff.failed()).toEqual({ retry: false, failures: 5, delayMs: 320 })
    for (let i = 0; i < 5; i++) backoff.failed()
    expect(backoff.delayMs).toBe(1000)
  })

  it('kills from outside count a quarter: 20 in a row give up, 19 and one success do not', () => {
    const backoff = new StartBackoff()
    for (let i = 0; i < 19; i++) expect(backoff.failed(true).retry).toBe(true)
    expect(backoff.failed(true)).toEqual({ retry: false, failures: 20, delayMs: 1000 })
    const other = new StartBackoff()
    for (let i = 0; i < 19; i++) other.failed(true)
    other.started()
    expect(other.failed(false).retry).toBe(true)
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
