// Scenarios A1-A17 of research/cpython-futures.md §4 (the Future state machine), plus
// Python's test_future.py, in milliseconds.
import { describe, expect, it, vi } from 'vitest'
import { CancelledError, Future, InvalidStateError, TimeoutError } from '../src/index.js'
import { futures, rejection, sleep } from './helpers.js'

describe('Future state machine (A)', () => {
  it('A1: a new future is pending; result(0) and exception(0) time out', async () => {
    const f = new Future()
    expect([f.done(), f.running(), f.cancelled()]).toEqual([false, false, false])
    expect(f.state).toBe('PENDING')
    expect(await rejection(f.result(0))).toBeInstanceOf(TimeoutError)
    expect(await rejection(f.exception(0))).toBeInstanceOf(TimeoutError)
  })

  it('A2: setResult finishes it', async () => {
    const f = new Future<number>()
    f.setResult(42)
    expect(f.done()).toBe(true)
    expect(await f.result()).toBe(42)
    expect(await f.exception()).toBeUndefined()
    expect(f.cancel()).toBe(false)
    expect(f.state).toBe('FINISHED')
  })

  it('A3: setException rejects with the same object', async () => {
    const f = new Future()
    const e = new Error('os error')
    f.setException(e)
    expect(await rejection(f.result())).toBe(e)
    expect(await f.exception()).toBe(e)
    expect(await rejection(f)).toBe(e)
  })

  it('A4: setRunningOrNotifyCancel on PENDING runs it; cancel() then fails; setResult works', async () => {
    const f = new Future<number>()
    expect(f.setRunningOrNotifyCancel()).toBe(true)
    expect(f.running()).toBe(true)
    expect(f.cancel()).toBe(false)
    f.setResult(5)
    expect(await f.result()).toBe(5)
  })

  it('A5: cancel() on PENDING', async () => {
    const f = new Future()
    expect(f.cancel()).toBe(true)
    expect(f.cancelled()).toBe(true)
    expect(f.done()).toBe(true)
    expect(await rejection(f.result(0))).toBeInstanceOf(CancelledError)
    expect(await rejection(f.exception(0))).toBeInstanceOf(CancelledError)
    expect(f.cancel()).toBe(true)
  })

  it('A6: after cancel(), setRunningOrNotifyCancel returns false once, then throws', () => {
    const f = new Future()
    f.cancel()
    expect(f.setRunningOrNotifyCancel()).toBe(false)
    expect(f.state).toBe('CANCELLED_AND_NOTIFIED')
    expect(() => f.setRunningOrNotifyCancel()).toThrow('Future in unexpected state')
  })

  it('A7: setRunningOrNotifyCancel throws on RUNNING and FINISHED', () => {
    const { running, successful } = futures()
    expect(() => running.setRunningOrNotifyCancel()).toThrow(Error)
    expect(() => successful.setRunningOrNotifyCancel()).toThrow('Future in unexpected state')
  })

  it('A8: a second setResult/setException is an InvalidStateError naming the state', async () => {
    const f = new Future<number>()
    f.setResult(1)
    expect(() => {
      f.setResult(2)
    }).toThrow(InvalidStateError)
    expect(() => {
      f.setResult(2)
    }).toThrow(/^FINISHED: <Future #\d+ state=finished returned number>$/)
    expect(() => {
      f.setException(new Error())
    }).toThrow(InvalidStateError)
    expect(await f.result()).toBe(1)
    const g = new Future()
    g.setException(new RangeError('first'))
    expect(() => {
      g.setException(new Error('second'))
    }).toThrow(/^FINISHED: <Future #\d+ state=finished raised RangeError>$/)
    expect(((await g.exception()) as Error).message).toBe('first')
    const c = new Future()
    c.cancel()
    expect(() => {
      c.setResult(1)
    }).toThrow(/^CANCELLED: /)
    const error = (() => {
      try {
        c.setResult(1)
      } catch (e) {
        return e as InvalidStateError
      }
      return undefined
    })()
    expect(error?.code).toBe('ERR_FUTURE_INVALID_STATE')
  })

  it('A9: callbacks run once each, in order, with the future', () => {
    const f = new Future<number>()
    const calls: string[] = []
    f.addDoneCallback((g) => calls.push(`cb1 ${String(g === f)}`))
    f.addDoneCallback(() => calls.push('cb2'))
    f.addDoneCallback(() => calls.push('cb3'))
    f.setResult(7)
    expect(calls).toEqual(['cb1 true', 'cb2', 'cb3'])
  })

  it('A10: a callback on a done future runs at once, synchronously', async () => {
    const { successful, exception, cancelled } = futures()
    for (const f of [successful, exception, cancelled]) {
      let ran = false
      f.addDoneCallback(() => {
        ran = true
      })
      expect(ran).toBe(true)
    }
    let seen: number | undefined
    successful.addDoneCallback((f) => {
      void f.result().then((v) => (seen = v))
    })
    await sleep(0)
    expect(seen).toBe(42)
  })

  it('A11: a throwing callback is reported as a warning and never stops the others', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      const f = new Future<number>()
      const calls: string[] = []
      f.addDoneCallback(() => {
        throw new Error('doh!')
      })
      f.addDoneCallback(() => calls.push('second'))
      f.addDoneCallback(() => calls.push('third'))
      expect(() => {
        f.setResult(1)
      }).not.toThrow()
      expect(calls).toEqual(['second', 'third'])
      expect(warn).toHaveBeenCalledTimes(1)
      const [message, options] = warn.mock.calls[0] as [string, { code: string }]
      expect(message).toContain('exception calling callback for')
      expect(message).toContain('doh!')
      expect(options.code).toBe('ERR_FUTURE_CALLBACK')
      // the same on an already finished future
      expect(() => {
        f.addDoneCallback(() => {
          throw new Error('doh again')
        })
      }).not.toThrow()
      expect(warn).toHaveBeenCalledTimes(2)
    } finally {
      warn.mockRestore()
    }
  })

  it('A12: cancel() runs the callbacks, which see cancelled(); a second cancel() does not rerun them', () => {
    const f = new Future()
    const seen: boolean[] = []
    f.addDoneCallback((g) => seen.push(g.cancelled()))
    expect(f.cancel()).toBe(true)
    expect(f.cancel()).toBe(true)
    expect(seen).toEqual([true])
  })

  it('A13: a waiter in result(5000) gets the result set later', async () => {
    const f = new Future<number>()
    setTimeout(() => {
      f.setResult(42)
    }, 10)
    expect(await f.result(5000)).toBe(42)
  })

  it('A14: a waiter in result(5000) is woken by cancel()', async () => {
    const f = new Future<number>()
    setTimeout(() => f.cancel(), 10)
    expect(await rejection(f.result(5000))).toBeInstanceOf(CancelledError)
    const g = new Future<number>()
    setTimeout(() => g.cancel(), 10)
    expect(await rejection(g.exception(5000))).toBeInstanceOf(CancelledError)
  })

  it('A15: result(20) times out; a negative timeout rejects at once; the future is untouched', async () => {
    const f = new Future<number>()
    expect(await rejection(f.result(20))).toBeInstanceOf(TimeoutError)
    expect(await rejection(f.result(-1))).toBeInstanceOf(TimeoutError)
    expect(f.state).toBe('PENDING')
    f.setResult(3)
    expect(await f.result(0)).toBe(3)
  })

  it('A16: a falsy failure value still rejects', async () => {
    for (const value of [0, '', null, undefined, false, Object.assign(new Error(''), { length: 0 })]) {
      const f = new Future()
      f.setException(value)
      expect(await rejection(f.result())).toBe(value)
      expect(await f.exception()).toBe(value)
      expect(f.toString()).toContain('finished raised')
    }
  })

  it('A17: toString() states', () => {
    const { pending, running, cancelled, cancelledAndNotified, exception, successful } = futures()
    expect(pending.toString()).toMatch(/^<Future #\d+ state=pending>$/)
    expect(running.toString()).toMatch(/state=running>$/)
    expect(cancelled.toString()).toMatch(/state=cancelled>$/)
    expect(cancelledAndNotified.toString()).toMatch(/state=cancelled>$/)
    expect(exception.toString()).toMatch(/state=finished raised Error>$/)
    expect(successful.toString()).toMatch(/state=finished returned number>$/)
    const r = new Future()
    r.setException(new RangeError('x'))
    expect(r.toString()).toMatch(/raised RangeError>$/)
    const named = new Future({ name: 'job' })
    expect(named.toString()).toMatch(/^<Future #\d+ "job" state=pending>$/)
    for (const [value, type] of [[null, 'null'], [undefined, 'undefined'], [[1], 'Array'], [{}, 'Object'], [1n, 'bigint'], ['s', 'string']] as const) {
      const g = new Future()
      g.setResult(value)
      expect(g.toString()).toContain(`returned ${type}`)
    }
  })

  it("Python's cancel/cancelled/done/running table", () => {
    const { pending, running, cancelled, cancelledAndNotified, exception, successful } = futures()
    expect([pending, running, cancelled, cancelledAndNotified, exception, successful].map((f) => f.cancelled())).toEqual([
      false, false, true, true, false, false,
    ])
    expect([pending, running, cancelled, cancelledAndNotified, exception, successful].map((f) => f.done())).toEqual([
      false, false, true, true, true, true,
    ])
    expect([pending, running, cancelled, cancelledAndNotified, exception, successful].map((f) => f.running())).toEqual([
      false, true, false, false, false, false,
    ])
    expect([running, cancelled, cancelledAndNotified, exception, successful].map((f) => f.cancel())).toEqual([
      false, true, true, false, false,
    ])
    expect(pending.cancel()).toBe(true)
  })

  it('ids are unique and increasing; a Future is thenable', async () => {
    const a = new Future<string>()
    const b = new Future<string>()
    expect(b.id).toBeGreaterThan(a.id)
    a.setResult('x')
    expect(await a).toBe('x')
    expect(await Promise.resolve(a)).toBe('x')
    expect(await a.then((v) => v + 'y')).toBe('xy')
  })

  it('a failed future that nobody reads raises no unhandledRejection', async () => {
    const seen: unknown[] = []
    const listener = (reason: unknown): void => {
      seen.push(reason)
    }
    process.on('unhandledRejection', listener)
    try {
      const f = new Future()
      f.setException(new Error('nobody reads me'))
      const g = new Future()
      void g.result(1000).catch(() => undefined)
      g.setException(new Error('read and handled'))
      await sleep(20)
      expect(seen).toEqual([])
    } finally {
      process.off('unhandledRejection', listener)
    }
  })

  it('bad input is a TypeError naming it', async () => {
    expect(() => new Future({ name: 3 as unknown as string })).toThrow(TypeError)
    expect(() => new Future('x' as never)).toThrow(/options must be an object/)
    const f = new Future()
    expect(() => {
      f.addDoneCallback(5 as never)
    }).toThrow(/addDoneCallback expects a function/)
    await expect(f.result('1' as never)).rejects.toThrow(/timeout must be a number/)
    await expect(f.exception(Number.NaN)).rejects.toThrow(TypeError)
  })
})

describe("Future's cancelHook (for executors)", () => {
  it('is told once, when cancelled while PENDING, after the state changed and before the done-callbacks', () => {
    const order: string[] = []
    const f: Future = new Future({
      name: 'queued',
      cancelHook: {
        futureCancelled() {
          order.push(`hook ${f.state}`)
          expect(f.setRunningOrNotifyCancel()).toBe(false)
        },
      },
    })
    f.addDoneCallback((g) => order.push(`callback ${g.state}`))
    expect(f.cancel()).toBe(true)
    expect(f.cancel()).toBe(true)
    expect(order).toEqual(['hook CANCELLED', 'callback CANCELLED_AND_NOTIFIED'])
  })

  it('is not told when the future runs or finishes, nor by a cancel() after that', () => {
    const told: number[] = []
    const finished = new Future({ cancelHook: { futureCancelled: () => told.push(1) } })
    finished.setResult(1)
    expect(finished.cancel()).toBe(false)
    const running = new Future({ cancelHook: { futureCancelled: () => told.push(2) } })
    running.setRunningOrNotifyCancel()
    expect(running.cancel()).toBe(false)
    expect(told).toEqual([])
  })

  it("claimCancel() returning false refuses the cancel, and the hook's futureCancelled() is not told", () => {
    const told: string[] = []
    const f = new Future({
      cancelHook: {
        claimCancel: () => (told.push('claim'), false),
        futureCancelled: () => told.push('cancelled'),
      },
    })
    expect(f.cancel()).toBe(false)
    expect(f.state).toBe('PENDING')
    expect(told).toEqual(['claim'])
  })

  it('a hook without futureCancelled() is a TypeError that says what it needs', () => {
    expect(() => new Future({ cancelHook: {} as never })).toThrow(
      new TypeError('Future cancelHook must be an object with a futureCancelled() method, got {}'),
    )
    expect(() => new Future({ cancelHook: 'x' as never })).toThrow(/cancelHook must be an object with a futureCancelled\(\) method, got "x"/)
  })
})
