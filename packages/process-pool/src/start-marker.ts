/**
 * The start marker: how the parent learns, after a child died (a SIGKILL gives it no chance to
 * say anything), which of the tasks it held had started. A child runs its tasks one at a time,
 * in the order sent, and writes the id of each task into this 8-byte file just before it runs
 * it (one `pwrite`, no message). After the death the parent reads it: the tasks before that one
 * finished, that one was running, the ones after it never started and run on another child.
 * Child processes share no memory with the parent (no `SharedArrayBuffer` claim words), and a
 * file in `/dev/shm` (memory, not disk) is the cheapest thing both can see.
 *
 * @internal
 * @module
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const folder = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
let count = 0
/** The markers of live children: removed when this process exits (an idle pool does not keep it alive). */
const live = new Set<string>()

function removeAll(): void {
  for (const file of live) rmSync(file, { force: true })
  live.clear()
}

/**
 * Parent side: names a marker file for a child and returns its path. The child creates the file
 * when its session starts (a missing file reads 0: nothing started): a parent killed while a child
 * was still starting leaves no file that nobody would remove.
 */
export function createMarker(): string {
  const file = path.join(folder, `x-process-pool-${String(process.pid)}-${String(++count)}.start`)
  if (live.size === 0) process.once('exit', removeAll)
  live.add(file)
  return file
}

/** Parent side: the id of the last task the child started (0: none). */
export function readMarker(file: string): number {
  try {
    const bytes = readFileSync(file)
    return bytes.length >= 8 ? bytes.readDoubleLE(0) : 0
  } catch {
    return 0
  }
}

/** Parent side: removes the file. */
export function removeMarker(file: string): void {
  rmSync(file, { force: true })
  live.delete(file)
  if (live.size === 0) process.removeListener('exit', removeAll)
}

/** Child side: writes task ids into the marker file. */
export class MarkerWriter {
  readonly #fd: number
  readonly #file: string
  readonly #bytes = Buffer.alloc(8)

  constructor(file: string) {
    this.#file = file
    this.#fd = openSync(file, 'w+')
    writeSync(this.#fd, this.#bytes, 0, 8, 0)
  }

  /**
   * Removes the file: only once the parent is gone (it reads the marker after this child dies,
   * and removes it itself then), so a parent killed by a signal leaves nothing behind.
   */
  removeOrphaned(): void {
    rmSync(this.#file, { force: true })
  }

  /** Task `id` starts now. */
  write(id: number): void {
    this.#bytes.writeDoubleLE(id, 0)
    writeSync(this.#fd, this.#bytes, 0, 8, 0)
  }

  close(): void {
    closeSync(this.#fd)
  }
}
