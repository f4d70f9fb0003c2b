import { task } from '@x/future'
import { describe, expect, it } from 'vitest'
import { CallableTable } from '../src/callable-table.js'

describe('CallableTable', () => {
  it('gives equal callables one number and different ones different numbers', () => {
    const table = new CallableTable()
    const url = new URL('./fixtures/tasks.mjs', import.meta.url)
    const a = table.idOf(table.describe(task(url, 'a')))
    expect(table.idOf(table.describe(task(url, 'a')))).toBe(a)
    expect(table.idOf(table.describe(task(url, 'b')))).not.toBe(a)
    const f = (x: number): number => x + 1
    const g = (x: number): number => x + 1
    expect(table.describe(f)).toBe(table.describe(f))
    const handle = task(url, 'a')
    expect(table.describe(handle)).toBe(table.describe(handle)) // one description per handle, not per call
    expect(table.idOf(table.describe(f))).toBe(table.idOf(table.describe(g)))
    expect(table.idOf(table.describe((x: number) => x * 2))).not.toBe(table.idOf(table.describe(f)))
  })

  it('describes a task handle once (one spec per handle, so idOf reads its number back)', () => {
    const table = new CallableTable()
    const handle = task(new URL('./fixtures/tasks.mjs', import.meta.url), 'a')
    const spec = table.describe(handle)
    expect(table.describe(handle)).toBe(spec)
    expect(spec).toMatchObject({ kind: 'task', exportName: 'a' })
    expect(table.idOf(table.describe(handle))).toBe(table.idOf(spec))
  })

  it('refuses what cannot travel, naming the fix', () => {
    expect(() => new CallableTable().describe(Math.max)).toThrow(TypeError)
    const table = new CallableTable()
    const notAHandle = { module: 'file:///x.mjs' }
    expect(() => table.describe(notAHandle as never)).toThrow(/expected a function or a task\(url, name\) handle/)
    expect(() => table.describe(notAHandle as never)).toThrow(TypeError) // refused again, never cached
    expect(() => table.describe(null as never)).toThrow(TypeError)
  })
})
