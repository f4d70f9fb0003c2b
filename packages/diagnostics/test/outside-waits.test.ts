// The record of waits outside any task: what it returns must be exactly the open waits, whatever
// the order waits end in, and what it holds must stay proportional to them.
import type { WaitStartEvent } from '@x/future'
import { describe, expect, it } from 'vitest'
import { OutsideWaits } from '../src/outside-waits.js'
import { random } from './helpers/random.js'

interface Probe { event: WaitStartEvent; end: () => void }

function wait(waitId: number, flagged: boolean): Probe {
  let ended = false
  const base = { waitId, taskId: undefined, futureIds: [waitId], mode: 'all' as const, timeout: undefined, stack: '', reject: () => undefined }
  const event: WaitStartEvent = flagged
    ? {
        ...base,
        get ended() {
          return ended
        },
      }
    : base
  return { event, end: () => (ended = true) }
}

describe('OutsideWaits', () => {
  it('returns exactly the open waits, for in-order, out-of-order and unflagged ends', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed)
      const waits = new OutsideWaits()
      const open = new Map<number, Probe>()
      let id = 0
      let most = 0
      // a few waits stay open for the whole run (a main thread awaiting a long task)
      const pinned = new Set<number>()
      for (let step = 0; step < 5_000; step++) {
        if (next() < 0.52 || open.size === pinned.size) {
          const probe = wait(++id, next() < 0.9)
          waits.add(probe.event)
          open.set(id, probe)
          if (next() < 0.005) pinned.add(id)
        } else {
          const ids = [...open.keys()].filter((candidate) => !pinned.has(candidate))
          // mostly the oldest (Promise.all over a burst), sometimes any
          const pick = next() < 0.7 ? Math.min(...ids) : (ids[Math.floor(next() * ids.length)] ?? -1)
          const probe = open.get(pick)
          if (probe === undefined) continue
          open.delete(pick)
          probe.end()
          waits.end({ waitId: pick, reason: 'settled' })
        }
        most = Math.max(most, open.size)
        expect(waits.retained).toBeLessThanOrEqual(2 * open.size + 600)
      }
      expect(waits.open().map((event) => event.waitId)).toEqual([...open.keys()].sort((a, b) => a - b))
      expect(most).toBeGreaterThan(20)
    }
  })

  it('a wait that stays open does not make the record keep everything started after it', () => {
    const waits = new OutsideWaits()
    const pinned = wait(1, true)
    waits.add(pinned.event)
    for (let id = 2; id < 20_000; id += 10) {
      const batch = Array.from({ length: 10 }, (_, i) => wait(id + i, true))
      for (const probe of batch) waits.add(probe.event)
      for (const probe of batch) {
        probe.end()
        waits.end({ waitId: probe.event.waitId, reason: 'settled' })
      }
      expect(waits.retained).toBeLessThan(600)
    }
    expect(waits.open().map((event) => event.waitId)).toEqual([1])
  })

  it('a burst ended in order leaves nothing behind', () => {
    const waits = new OutsideWaits()
    const burst = Array.from({ length: 20_000 }, (_, i) => wait(i + 1, true))
    for (const probe of burst) waits.add(probe.event)
    expect(waits.retained).toBe(20_000)
    for (const probe of burst) {
      probe.end()
      waits.end({ waitId: probe.event.waitId, reason: 'settled' })
    }
    expect([waits.retained, waits.open()]).toEqual([0, []])
  })
})
