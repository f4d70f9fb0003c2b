/**
 * Leak checks after `shutdown()`: the handles this process holds (Node's
 * `process.getActiveResourcesInfo()`: timers, ports, pipes, child processes) and whether any
 * worker process the pool ever had is still alive.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises'

/** How many active resources of each kind this process holds. */
export function resourceCounts(): Map<string, number> {
  // process.stdout/stderr create their handle on first use (a worker's output forwarded here
  // does that): create them now so they are never counted as a leak.
  process.stdout.uncork()
  process.stderr.uncork()
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

/** The kinds that hold more resources now than in `baseline`, as `Kind +n`. */
export function resourcesAbove(baseline: ReadonlyMap<string, number>): string[] {
  const extra: string[] = []
  for (const [kind, n] of resourceCounts()) {
    const before = baseline.get(kind) ?? 0
    if (n > before) extra.push(`${kind} +${String(n - before)}`)
  }
  return extra
}

/** True when `promise` settles within `ms` (the wait keeps the process alive, as a hang must not end it silently). */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timeout = new AbortController()
  const settled = promise.then(
    () => true,
    () => true,
  )
  const expired = delay(ms, false, { signal: timeout.signal }).catch(() => false)
  try {
    return await Promise.race([settled, expired])
  } finally {
    timeout.abort()
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * What is left over after a shutdown, once `settleMs` has passed without change: resources
 * above the baseline, and pids still alive. Empty when nothing leaked.
 */
export async function leftovers(
  baseline: ReadonlyMap<string, number>,
  pids: Iterable<number>,
  settleMs = 3000,
): Promise<string[]> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const alive = [...pids].filter(isAlive)
    const found = [...resourcesAbove(baseline), ...alive.map((pid) => `process ${String(pid)} alive`)]
    if (found.length === 0 || Date.now() >= deadline) return found
    await delay(25)
  }
}
