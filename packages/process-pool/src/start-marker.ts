/**
 * The start marker: how the parent learns, after a child died (a SIGKILL gives it no chance to
 * say anything), which of the tasks it held had started. A child runs its tasks one at a time,
 * in the order sent, and writes the id of each task into this 8-byte file just before it runs
 * it (one `pwrite`, no message). After the death the parent reads it: the tasks before that one
 * finished, that one was running, the ones after it never started and run on another child.
 * Child processes share no memory with the parent (no `SharedArrayBuffer` claim words), and a
 * file in `/dev/shm` (memory, not disk) is the cheapest thing both can see. This module is the
 * parent's side; the child's (marker-writer.ts) does none of this module's work at load.
 *
 * @internal
 * @module
 */
import path from 'node:path'

// node:fs as CommonJS sees it: an ES module import of node:fs reads every export of it, its lazy
// ones too (streams, fs/promises and what they load), ~6M instructions of each child's start
// (callgrind: an ES module importing node:fs against an empty one, fresh processes, 3 runs each)
const { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } = process.getBuiltinModule('node:fs')

// (node:os loads only without /dev/shm)
const folder = existsSync('/dev/shm') ? '/dev/shm' : process.getBuiltinModule('node:os').tmpdir()
/**
 * This process's pid namespace (Linux: the inode of `/proc/self/ns/pid`), part of each marker's
 * name: containers that share `/dev/shm` (the containers of one Kubernetes pod, `--ipc=host`)
 * number their processes separately, so a pid alone neither names a marker uniquely nor says
 * whether its owner lives. `''` where there are no pid namespaces.
 */
const pidNamespace = readPidNamespace()
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
  if (count === 0) sweepStaleMarkers()
  const ns = pidNamespace === '' ? '' : `-ns${pidNamespace}`
  const file = path.join(folder, `x-process-pool-${String(process.pid)}-${String(++count)}${ns}.start`)
  if (live.size === 0) process.once('exit', removeAll)
  live.add(file)
  return file
}

const markerName = /^x-process-pool-(\d+)-\d+(?:-ns(\d+))?\.start$/

/**
 * Removes the markers of parents that died without removing them (a SIGKILL: no `exit` handler
 * runs, and the children killed with it cannot either), so they do not pile up in `/dev/shm`.
 * Run once per process, when its first child starts: one directory read. Safe: only markers of
 * this pid namespace whose owner pid is dead (`process.kill(pid, 0)` fails with ESRCH) go; a
 * live owner's (EPERM included: another user's process), this process's own, another
 * namespace's, and names it does not know are left alone.
 *
 * @param dir the folder (tests pass their own)
 * @returns the files removed
 */
export function sweepStaleMarkers(dir = folder): string[] {
  const removed: string[] = []
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return removed // cannot read it: nothing to sweep
  }
  const dead = new Map<number, boolean>()
  for (const name of names) {
    const match = markerName.exec(name)
    if (match === null || (match[2] ?? '') !== pidNamespace) continue
    const pid = Number(match[1])
    if (pid === process.pid) continue
    let isDead = dead.get(pid)
    if (isDead === undefined) {
      isDead = ownerIsDead(pid)
      dead.set(pid, isDead)
    }
    if (!isDead) continue
    const file = path.join(dir, name)
    try {
      rmSync(file, { force: true })
      removed.push(file)
    } catch {
      // not ours to remove (permissions): leave it
    }
  }
  return removed
}

function ownerIsDead(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function readPidNamespace(): string {
  try {
    return /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? ''
  } catch {
    return ''
  }
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
