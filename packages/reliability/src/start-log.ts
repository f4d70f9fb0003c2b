/**
 * The start log: the chaos tasks append `S <id> <pid> <threadId>` when a call begins and
 * `E <id>` just before it returns or throws (see fixtures/chaos-tasks.mjs). Read back, it tells
 * which calls really ran and in which worker process, which no pool's own bookkeeping can be
 * trusted to say about itself.
 *
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** Where and whether one call ran. */
export interface CallTrace {
  readonly pid: number
  readonly threadId: number
  ended: boolean
  /** How many times it started (more than once breaks at-most-once); 1 when absent. */
  runs?: number
}

/** A start log file in a fresh temporary folder. */
export class StartLog {
  readonly path: string
  readonly #dir: string

  constructor() {
    this.#dir = mkdtempSync(path.join(tmpdir(), 'x-chaos-'))
    this.path = path.join(this.#dir, 'starts.log')
    writeFileSync(this.path, '')
  }

  /** Every call that started, by id. */
  read(): Map<number, CallTrace> {
    const calls = new Map<number, CallTrace>()
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const [kind, id, pid, threadId] = line.split(' ')
      if (kind === 'S') {
        const runs = (calls.get(Number(id))?.runs ?? 0) + 1
        calls.set(Number(id), { pid: Number(pid), threadId: Number(threadId), ended: false, runs })
      }
      else if (kind === 'E') {
        const call = calls.get(Number(id))
        if (call !== undefined) call.ended = true
      }
    }
    return calls
  }

  /** The pids of the processes that have started at least one call. */
  pids(): Set<number> {
    const pids = new Set<number>()
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (line.startsWith('S ')) pids.add(Number(line.split(' ')[2]))
    }
    return pids
  }

  /** Empties the log (a soak round starts afresh). */
  clear(): void {
    writeFileSync(this.path, '')
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
