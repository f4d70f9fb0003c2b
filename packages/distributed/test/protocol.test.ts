// The payload and envelope codec: JSON for the calls and results it carries exactly, v8
// serialization for everything else, each decoded back to the same values (no Redis needed).
import { describe, expect, it } from 'vitest'
import { decodePayload, encodePayload } from '../src/job-data.js'
import { decodeEnvelope, encodeEnvelope } from '../src/protocol.js'
import type { JobPayload } from '../src/protocol.js'

const fn = { kind: 'task', path: 'tasks.mjs', exportName: 'inc', name: 'inc' } as const
const payload = (args: unknown[], chunk = false): JobPayload => ({ fn, args, chunk, futureId: 7, name: undefined })

describe('job payloads and result envelopes', () => {
  it('sends calls whose arguments JSON carries exactly as JSON, and decodes them back', () => {
    for (const args of [[1], ['a\u{1F600}\uD800', true, null, 2.5, -3, 1e21], []]) {
      const data = encodePayload(payload(args))
      expect(typeof data).toBe('object')
      expect(decodePayload(data)).toEqual(payload(args))
    }
    const chunk = encodePayload(payload([[1, 'a'], [2, null]], true))
    expect(typeof chunk).toBe('object')
    expect(decodePayload(chunk).args).toEqual([[1, 'a'], [2, null]])
  })

  it('sends any other argument v8-serialized, and decodes it with its type and value', () => {
    const sparse: unknown[] = [1]
    sparse[2] = 3
    for (const value of [-0, Number.NaN, Infinity, undefined, 10n, new Map([[1, 2]]), new Date(0), { a: 1 }, [1], new Uint8Array([1])]) {
      const data = encodePayload(payload([value]))
      expect(typeof data).toBe('string')
      expect(decodePayload(data).args).toEqual([value])
    }
    expect(Object.is(decodePayload(encodePayload(payload([-0]))).args[0], -0)).toBe(true)
    const holes = decodePayload(encodePayload(payload([sparse], true))).args[0] as unknown[]
    expect(1 in holes).toBe(false)
  })

  it('sends results and progress JSON carries exactly (or undefined) as JSON, every other envelope v8-serialized', () => {
    for (const value of [5, 'x', null, false, undefined]) {
      for (const t of ['ok', 'progress'] as const) {
        const data = encodeEnvelope({ t, jobId: 'j-1', value })
        expect(data[0]).toBe(0x7b)
        const back = decodeEnvelope(data) as { t: string; jobId: string; value: unknown }
        expect([back.t, back.jobId, back.value]).toEqual([t, 'j-1', value])
      }
    }
    for (const value of [-0, 1n, new Set([1]), [1], { a: undefined }]) {
      const data = encodeEnvelope({ t: 'ok', jobId: 'j-1', value })
      expect(data[0]).toBe(0xff)
      expect(decodeEnvelope(data)).toEqual({ t: 'ok', jobId: 'j-1', value })
    }
    expect(Object.is((decodeEnvelope(encodeEnvelope({ t: 'ok', jobId: 'j', value: -0 })) as { value: unknown }).value, -0)).toBe(true)
    expect(encodeEnvelope({ t: 'start', jobId: 'j', workerId: 'w' })[0]).toBe(0xff)
  })
})
