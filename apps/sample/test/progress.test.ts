// The progress bar on its own, with fake streams: the terminal mode (redrawn in place, never
// sharing a line with results) and the log mode (one line per tenth).
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Progress } from '../src/progress.js'

/** What the bar writes to clear its line on a terminal. */
const CLEAR = '\r\x1b[2K'

class Capture extends Writable {
  text = ''
  constructor(readonly isTTY: boolean) {
    super()
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString()
    callback()
  }
}

describe('Progress', () => {
  it('prints nothing when not enabled', () => {
    const err = new Capture(false)
    const p = new Progress('job', 3, { enabled: false, tty: false, stream: err })
    p.tick()
    p.tick(2)
    p.finish()
    expect(err.text).toBe('')
  })

  it('prints a plain line per tenth of the way off a terminal', () => {
    const err = new Capture(false)
    const p = new Progress('job', 20, { enabled: true, tty: false, stream: err })
    for (let i = 0; i < 20; i++) p.tick()
    p.finish()
    const lines = err.text.trimEnd().split('\n')
    expect(lines).toHaveLength(11)
    expect(lines[0]).toMatch(/^job 0\/20 \(0%\) \d+\.\ds$/u)
    expect(lines[5]).toMatch(/^job 10\/20 \(50%\) /u)
    expect(lines[10]).toMatch(/^job 20\/20 \(100%\) /u)
    expect(err.text).not.toContain('\r')
  })

  it('measures bytes when it knows how many: bytes() moves it inside an item, never backwards', () => {
    const err = new Capture(false)
    const MiB = 1024 * 1024
    const p = new Progress('job', 2, { enabled: true, tty: false, stream: err }, 4 * MiB)
    p.bytes(2 * MiB) // half the bytes, no item done yet
    p.bytes(MiB) // an older report: ignored
    p.tick()
    p.tick()
    p.finish()
    const lines = err.text.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^job 0\/2 \(0%\) \d+\.\ds 0\.0\/4\.0 MiB$/u)
    expect(lines[1]).toMatch(/^job 0\/2 \(50%\) \d+\.\ds 2\.0\/4\.0 MiB$/u)
    expect(lines[2]).toMatch(/^job 2\/2 \(100%\) \d+\.\ds 4\.0\/4\.0 MiB$/u)
  })

  it('redraws one line in place on a terminal and ends it at finish', () => {
    const err = new Capture(true)
    const p = new Progress('job', 4, { enabled: true, tty: true, stream: err, width: 8 })
    p.tick(4)
    p.finish()
    p.finish()
    expect(err.text.startsWith(`${CLEAR}job [--------] 0/4 (0%)`)).toBe(true)
    const last = err.text.slice(err.text.lastIndexOf(CLEAR))
    expect(last.slice(CLEAR.length)).toMatch(/^job \[########\] 4\/4 \(100%\) \d+\.\ds\n$/u)
    expect(err.text.match(/\n/gu)).toHaveLength(1)
    expect(err.text.split('4/4 (100%)')).toHaveLength(2) // the final state is drawn once
  })

  it('clears the bar before a result line on the same terminal, and redraws it after', () => {
    const err = new Capture(true)
    const out = new Capture(true)
    const p = new Progress('job', 2, { enabled: true, tty: true, stream: err, width: 2 })
    err.text = ''
    p.print(out, 'result\n')
    expect(out.text).toBe('result\n')
    expect(err.text.startsWith(`${CLEAR}${CLEAR}job [--] 0/2`)).toBe(true)
  })

  it('leaves the bar alone when results go to a file or pipe', () => {
    const err = new Capture(true)
    const out = new Capture(false)
    const p = new Progress('job', 2, { enabled: true, tty: true, stream: err })
    err.text = ''
    p.print(out, 'result\n')
    expect(out.text).toBe('result\n')
    expect(err.text).toBe('')
  })

  it('abandon() wipes the bar without a final line', () => {
    const err = new Capture(true)
    const p = new Progress('job', 2, { enabled: true, tty: true, stream: err })
    p.tick()
    err.text = ''
    p.abandon()
    p.tick()
    expect(err.text).toBe(CLEAR)
  })
})
