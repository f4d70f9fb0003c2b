// The detector's id-keyed table against a plain Map, on the access patterns it must survive:
// bursts submitted and finished in order, long-lived entries pinning the front, ids arriving
// out of order, and huge gaps of ids it never sees.
import { describe, expect, it } from 'vitest'
import { IdTable } from '../src/id-table.js'
import { random } from './helpers/random.js'

function check(table: IdTable<number>, reference: Map<number, number>, probe: readonly number[]): void {
  expect(table.size).toBe(reference.size)
  expect(new Map(table.entries())).toEqual(reference)
  for (const id of probe) expect(table.get(id)).toBe(reference.get(id))
}

describe('IdTable', () => {
  it('agrees with a Map on random workloads', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed)
      const table = new IdTable<number>()
      const reference = new Map<number, number>()
      let nextId = 1
      const pinned: number[] = []
      for (let step = 0; step < 4_000; step++) {
        const r = next()
        if (r < 0.45) {
          // a new id, sometimes after a gap (futures the table never saw), rarely a huge one
          nextId += next() < 0.1 ? 1 + Math.floor(next() * 50) : 1
          if (next() < 0.002) nextId += 100_000
          table.set(nextId, step)
          reference.set(nextId, step)
          if (next() < 0.01) pinned.push(nextId)
        } else if (r < 0.85) {
          // finish the oldest unpinned entry (the common case), or any entry
          const keys = [...reference.keys()].filter((id) => !pinned.includes(id))
          const id = next() < 0.8 ? Math.min(...keys) : keys[Math.floor(next() * keys.length)]
          if (id === undefined || !Number.isFinite(id)) continue
          expect(table.take(id)).toBe(reference.get(id))
          reference.delete(id)
        } else if (r < 0.9) {
          // an id below the newest one arriving late, or an update of a live one
          const id = Math.max(1, nextId - Math.floor(next() * 3_000))
          table.set(id, -step)
          reference.set(id, -step)
        } else if (r < 0.93 && pinned.length > 0) {
          const id = pinned.shift() ?? -1
          expect(table.take(id)).toBe(reference.get(id))
          reference.delete(id)
        } else {
          const id = 1 + Math.floor(next() * (nextId + 10))
          expect(table.take(id)).toBe(reference.get(id))
          reference.delete(id)
        }
      }
      check(table, reference, Array.from({ length: 200 }, () => Math.floor(next() * (nextId + 100))))
    }
  })

  it('keeps in-order bursts in the window and lets a pinned entry move out of the way', () => {
    const table = new IdTable<string>()
    table.set(1, 'long-lived')
    let largest = 0
    for (let round = 0; round < 20; round++) {
      const base = 2 + round * 10_000
      for (let id = base; id < base + 10_000; id++) table.set(id, 'tiny')
      largest = Math.max(largest, table.windowSlots)
      for (let id = base; id < base + 10_000; id++) expect(table.take(id)).toBe('tiny')
    }
    // the pinned entry did not keep 200,000 slots alive
    expect(largest).toBeLessThan(25_000)
    expect([...table.entries()]).toEqual([[1, 'long-lived']])
    expect(table.get(1)).toBe('long-lived')
    expect(table.take(1)).toBe('long-lived')
    expect(table.size).toBe(0)
    expect(table.take(1)).toBeUndefined()
  })

  it('does not fill a huge gap of ids it never saw', () => {
    const table = new IdTable<string>()
    table.set(5, 'old')
    table.set(10_000_000, 'new')
    expect(table.windowSlots).toBeLessThan(10)
    expect([table.get(5), table.get(10_000_000), table.size]).toEqual(['old', 'new', 2])
    expect([...table.keys()]).toEqual([5, 10_000_000])
  })
})
