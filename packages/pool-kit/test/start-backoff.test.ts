import { describe, expect, it } from 'vitest'
import { StartBackoff } from '../src/start-backoff.js'

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
  }
}

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

  it('kills from outside count a quarter: 20 in a row give up once starts have failed for 60 s, 19 and one success do not', () => {
    const clock = manualClock()
    const backoff = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 19; i++) {
      expect(backoff.failed(true).retry).toBe(true)
      clock.advance(4_000)
    }
    // (a kill weighs a quarter toward the delay too: 20 kills wait as long as 5 failures)
    expect(backoff.failed(true)).toEqual({ retry: false, failures: 20, delayMs: 320 })
    expect(backoff.failingForMs).toBe(76_000)
    const other = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 19; i++) {
      other.failed(true)
      clock.advance(4_000)
    }
    other.started()
    expect(other.failed(false).retry).toBe(true)
  })

  it('kills in a row never give up before the span has passed, however many (a chaos burst under load)', () => {
    const clock = manualClock()
    const backoff = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 200; i++) {
      expect(backoff.failed(true).retry).toBe(true)
      clock.advance(100)
    }
    // 200 failures over 19.9 s: still retrying; the first failure past 60 s gives up
    expect(backoff.failingForMs).toBe(19_900)
    clock.advance(60_000 - 20_000)
    expect(backoff.wouldRetry(true)).toBe(false)
    expect(backoff.failed(true)).toEqual({ retry: false, failures: 201, delayMs: 1000 })
    expect(backoff.failingForMs).toBe(60_000)
  })

  it('the span counts from the first failure of the streak: a success starts it over', () => {
    const clock = manualClock()
    const backoff = new StartBackoff(20, 5, 1000, { now: clock.now, spanMs: 5_000 })
    for (let i = 0; i < 30; i++) {
      backoff.failed(true)
      clock.advance(100)
    }
    backoff.started()
    expect(backoff.failingForMs).toBe(0)
    clock.advance(60_000)
    // 20 kills, but only 4.75 s since the first of this streak
    for (let i = 0; i < 20; i++) {
      expect(backoff.failed(true).retry).toBe(true)
      clock.advance(250)
    }
    expect(backoff.failingForMs).toBe(4_750)
    expect(backoff.failed(true).retry).toBe(false)
  })

  it('a span alone is not enough: fewer than 20 kills over any time retry', () => {
    const clock = manualClock()
    const backoff = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 19; i++) {
      expect(backoff.failed(true).retry).toBe(true)
      clock.advance(60_000)
    }
    expect(backoff.failed(true).retry).toBe(false)
  })

  it('workers that died of themselves give up after 5 in a row at once; kills mixed in need the span', () => {
    const clock = manualClock()
    const own = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 4; i++) expect(own.failed(false).retry).toBe(true)
    expect(own.wouldRetry(true)).toBe(true)
    expect(own.wouldRetry(false)).toBe(false)
    expect(own.failed(false)).toEqual({ retry: false, failures: 5, delayMs: 320 })
    expect(own.failingForMs).toBe(0)

    const mixed = new StartBackoff(20, 5, 1000, { now: clock.now })
    for (let i = 0; i < 4; i++) mixed.failed(false)
    for (let i = 0; i < 4; i++) expect(mixed.failed(true).retry).toBe(true) // weighs 5, within the span
    clock.advance(60_000)
    expect(mixed.failed(true)).toEqual({ retry: false, failures: 9, delayMs: 381 })
  })

  it('kills from outside grow the delay a quarter as fast: it doubles every 4 kills, up to the longest', () => {
    const backoff = new StartBackoff()
    const delays: number[] = []
    for (let i = 0; i < 32; i++) {
      backoff.failed(true)
      delays.push(backoff.delayMs)
    }
    expect(delays[0]).toBe(12)
    expect([delays[3], delays[7], delays[11], delays[15], delays[19], delays[23]]).toEqual([20, 40, 80, 160, 320, 640])
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0)
    expect(delays.at(-1)).toBe(1000)
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

  it('rejects bad settings, naming them', () => {
    expect(() => new StartBackoff(-1)).toThrow(/baseMs must be a finite number ≥ 0 \(ms\), got -1/)
    expect(() => new StartBackoff(20, 0)).toThrow(/maxFailures must be an integer ≥ 1, got 0/)
    expect(() => new StartBackoff(20, 5, Number.NaN)).toThrow(/maxDelayMs must be a finite number ≥ 0 \(ms\), got NaN/)
    expect(() => new StartBackoff(20, 5, 1000, { spanMs: Infinity })).toThrow(/options\.spanMs must be a finite number ≥ 0 \(ms\), got Infinity/)
  })
})
