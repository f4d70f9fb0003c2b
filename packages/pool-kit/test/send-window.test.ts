import { describe, expect, it } from 'vitest'
import { argumentBytes, LARGE_ARGS, SendWindow } from '../src/send-window.js'

describe('SendWindow', () => {
  it('sends one call at a time until a callable is known to be short, then grows with the evidence', () => {
    const window = new SendWindow(2, 256)
    expect(window.for(1)).toBe(1)
    window.learn(1, 0.001)
    expect(window.for(1)).toBe(1)
    for (let i = 0; i < 10; i++) window.count(1)
    expect(window.for(1)).toBe(11)
    for (let i = 0; i < 1000; i++) window.count(1)
    expect(window.for(1)).toBe(256)
  })

  it('keeps a slow callable at one call, and about targetMs of a medium one', () => {
    const window = new SendWindow(2, 256)
    window.learn(2, 50)
    for (let i = 0; i < 100; i++) window.count(2)
    expect(window.for(2)).toBe(1)
    window.learn(3, 0.5)
    for (let i = 0; i < 100; i++) window.count(3)
    expect(window.for(3)).toBe(4)
  })

  it('never sends a risky callable ahead again', () => {
    const window = new SendWindow()
    window.learn(4, 0.001)
    for (let i = 0; i < 100; i++) window.count(4)
    window.markRisky(4)
    expect(window.for(4)).toBe(1)
    window.markRisky(5)
    expect(window.for(5)).toBe(1)
  })

  it('estimates the bytes of arguments: buffers and strings by length, arrays and objects from a sample', () => {
    const mib = 1024 * 1024
    expect(argumentBytes([new Float64Array(mib / 8)])).toBe(mib)
    expect(argumentBytes([new ArrayBuffer(100), 'x'.repeat(50), 1])).toBe(158)
    expect(argumentBytes([Array.from({ length: 1000 }, () => new Uint8Array(1000))])).toBe(1_000_000)
    expect(argumentBytes([{ a: new Uint8Array(LARGE_ARGS) }])).toBeGreaterThanOrEqual(LARGE_ARGS)
    expect(argumentBytes([[1, 2, 3], { x: 1 }])).toBeLessThan(LARGE_ARGS)
  })

  it('leaves out the buffers a call moves (and views on them): they are not copied', () => {
    const mib = 1024 * 1024
    const moved = new Float64Array(mib / 8)
    const buffer = new ArrayBuffer(mib)
    expect(argumentBytes([moved], [moved.buffer])).toBeLessThan(LARGE_ARGS)
    expect(argumentBytes([buffer, new Uint8Array(buffer, 8, 16)], [buffer])).toBeLessThan(LARGE_ARGS)
    expect(argumentBytes([Array.from({ length: 100 }, () => new Uint8Array(moved.buffer))], [moved.buffer])).toBeLessThan(LARGE_ARGS)
    // what is copied still counts: a large array beside a small buffer that moves
    const small = new ArrayBuffer(8)
    expect(argumentBytes([new Float64Array(mib / 8), small], [small])).toBe(mib + 8)
  })
})
