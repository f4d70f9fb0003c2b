/**
 * The child's side of the start marker (start-marker.ts has the parent's): it writes the id of
 * each task into the marker file just before the task runs. A module of its own: the child
 * loads it as it starts, and needs nothing of what the parent's side works out at load (the
 * marker folder, the pid namespace).
 *
 * @internal
 * @module
 */

// node:fs as CommonJS sees it (see start-marker.ts: an ES module import of node:fs costs each child's start)
const { closeSync, openSync, rmSync, writeSync } = process.getBuiltinModule('node:fs')

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
