/**
 * A progress bar on stderr, counting items, or bytes when it knows how many (the workers report
 * them with `currentTask().progress()`, so the bar moves inside a large file). On a terminal it redraws one line in place (at most every 80 ms);
 * elsewhere (a pipe, a log file), when asked for with `--progress`, it prints a plain line at
 * every tenth of the way, so logs stay readable. It never writes to stdout.
 */
import type { Writable } from 'node:stream'

export interface ProgressOptions {
  /** Show anything at all: stderr is a terminal, or `--progress` was given. */
  readonly enabled: boolean
  /** Redraw in place (a terminal) instead of printing lines. */
  readonly tty: boolean
  /** Where to draw. @default process.stderr */
  readonly stream?: Writable
  /** Columns for the bar itself. @default 24 */
  readonly width?: number
}

/** Decides whether to show progress: `--progress` forces it, else only on a terminal. */
export function progressOptions(forced: boolean | undefined): ProgressOptions {
  const tty = process.stderr.isTTY
  return { enabled: forced === true || tty, tty }
}

export class Progress {
  readonly #label: string
  readonly #total: number
  readonly #options: ProgressOptions
  readonly #stream: Writable
  readonly #started = performance.now()
  readonly #totalBytes: number
  #bytes = 0
  #count = 0
  #lastDraw = 0
  #lastTenth = -1
  /** The count the terminal line shows now, or -1 when the line needs a redraw. */
  #shown = -1
  #finished = false

  /**
   * @param totalBytes - when given (> 0), the bar measures bytes: {@link Progress.bytes} moves it
   * within long items, and the count shows the items done.
   */
  constructor(label: string, total: number, options: ProgressOptions, totalBytes = 0) {
    this.#label = label
    this.#total = total
    this.#totalBytes = totalBytes
    this.#options = options
    this.#stream = options.stream ?? process.stderr
    this.#draw(true)
  }

  /** Counts `n` more items done. */
  tick(n = 1): void {
    if (this.#finished) return
    this.#count = Math.min(this.#total, this.#count + n)
    // every item done: so is every byte
    if (this.#count === this.#total) this.#bytes = this.#totalBytes
    this.#draw(this.#count === this.#total)
  }

  /** The bytes processed so far, of `totalBytes` (reported by the workers as they go). */
  bytes(done: number): void {
    if (this.#finished || done <= this.#bytes) return
    this.#bytes = Math.min(this.#totalBytes, done)
    this.#draw(false)
  }

  /** Draws the final state and ends the line. Calling it again does nothing. */
  finish(): void {
    if (this.#finished) return
    if (this.#shown !== this.#count) this.#draw(true)
    this.#finished = true
    if (this.#options.enabled && this.#options.tty) this.#stream.write('\n')
  }

  /**
   * Writes `text` to `stream` (stdout) without mixing it into the bar: on a terminal the bar's
   * line is cleared first and redrawn after, so results and the bar never share a line.
   */
  print(stream: Writable & { isTTY?: boolean }, text: string): void {
    const redraw = this.#options.enabled && this.#options.tty && !this.#finished && stream.isTTY === true
    if (redraw) {
      this.#stream.write('\r\x1b[2K')
      this.#shown = -1
    }
    stream.write(text)
    if (redraw) this.#draw(true)
  }

  /** Removes the bar (on a terminal) without a final line: used when the work is abandoned. */
  abandon(): void {
    if (this.#finished) return
    this.#finished = true
    if (this.#options.enabled && this.#options.tty) this.#stream.write('\r\x1b[2K')
  }

  #draw(force: boolean): void {
    if (!this.#options.enabled) return
    const now = performance.now()
    const fraction = this.#fraction()
    if (this.#options.tty) {
      if (!force && now - this.#lastDraw < 80) return
      this.#lastDraw = now
      this.#shown = this.#count
      const width = this.#options.width ?? 24
      const filled = Math.round(fraction * width)
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled)
      this.#stream.write(`\r\x1b[2K${this.#line(bar, now)}`)
    } else {
      const tenth = Math.floor(fraction * 10)
      // a new tenth, or (forced) a count not shown yet: the first and the last line
      if (tenth === this.#lastTenth && !(force && this.#shown !== this.#count)) return
      this.#lastTenth = tenth
      this.#shown = this.#count
      this.#stream.write(`${this.#line(undefined, now)}\n`)
    }
  }

  #fraction(): number {
    if (this.#totalBytes > 0) return this.#bytes / this.#totalBytes
    return this.#total === 0 ? 1 : this.#count / this.#total
  }

  #line(bar: string | undefined, now: number): string {
    const percent = Math.floor(this.#fraction() * 100)
    const seconds = ((now - this.#started) / 1000).toFixed(1)
    const middle = bar === undefined ? '' : ` [${bar}]`
    const bytes = this.#totalBytes > 0 ? ` ${mebibytes(this.#bytes)}/${mebibytes(this.#totalBytes)} MiB` : ''
    return `${this.#label}${middle} ${String(this.#count)}/${String(this.#total)} (${String(percent)}%) ${seconds}s${bytes}`
  }
}

function mebibytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}
