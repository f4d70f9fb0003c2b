/**
 * The outside killer: SIGKILLs a random worker process every so often, as an OOM killer or an
 * operator would. Some kills aim at a worker that is starting: it kills a live worker, watches
 * the executor's pids, and kills the replacement the moment it appears (long before a Node
 * process has finished booting).
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Random } from './random.js'

/** What the killer did. */
export interface KillStats {
  kills: number
  /** Kills of a worker seen less than a few milliseconds after it appeared. */
  killsWhileStarting: number
  /** Every worker pid the killer ever saw. */
  readonly seen: Set<number>
}

/** Kill settings: every `everyMs` (jittered ±50 %), a share of them at starting workers. */
export interface KillPlan {
  readonly everyMs: number
  /** Share of kills followed by a kill of the replacement worker while it starts. */
  readonly startingShare: number
  /**
   * `'serving'`: pick victims only among workers that have already run a call (never one
   * that is starting, unless `startingShare` asks for it). `'any'` (default): any live worker.
   */
  readonly target?: 'any' | 'serving'
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL')
    return true
  } catch {
    return false // already gone
  }
}

/** Waits `ms` (without keeping the process alive); false when `stop` aborted meanwhile. */
async function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { ref: false, signal: stop })
    return true
  } catch {
    return false
  }
}

/** Runs until `stop` aborts; returns the stats object it keeps updating. */
export function startKiller(
  pids: () => readonly number[],
  serving: () => ReadonlySet<number>,
  plan: KillPlan,
  random: Random,
  stop: AbortSignal,
): { stats: KillStats; done: Promise<void> } {
  const stats: KillStats = { kills: 0, killsWhileStarting: 0, seen: new Set() }
  const look = (): readonly number[] => {
    const live = pids()
    for (const pid of live) stats.seen.add(pid)
    return live
  }
  const loop = async (): Promise<void> => {
    while (!stop.aborted) {
      if (!(await pause(plan.everyMs * (0.5 + random.next()), stop))) return
      const live = look()
      const candidates = plan.target === 'serving' ? live.filter((pid) => serving().has(pid)) : live
      if (candidates.length === 0) continue
      const victim = random.pick(candidates)
      if (kill(victim)) stats.kills++
      if (!random.chance(plan.startingShare)) continue
      // Kill the replacement as soon as it shows up.
      const before = new Set(live)
      const until = Date.now() + 2000
      while (Date.now() < until) {
        const fresh = look().find((pid) => !before.has(pid))
        if (fresh !== undefined) {
          if (kill(fresh)) {
            stats.kills++
            stats.killsWhileStarting++
          }
          break
        }
        if (!(await pause(1, stop))) return
      }
    }
  }
  return { stats, done: loop() }
}
