import type { Redis } from 'ioredis'
import type { Item } from './item.js'
import { aliveAmong, unstartedStates } from './registry.js'
import type { UnstartedState } from './registry.js'

/** What the lost-worker check reads and whom it tells. */
export interface LostCheck {
  readonly redis: Redis
  readonly queue: string
  readonly checkInterval: number
  /** the handed-over items by job id */
  readonly handed: ReadonlyMap<string, Item>
  /** an item's worker is gone (or BullMQ dropped the job): retry it or fail its future */
  lost(item: Item, workerId: string | undefined, state?: UnstartedState): void
}

/**
 * Jobs no worker reported starting: BullMQ may have failed or dropped one (no result will ever
 * come), or the worker that fetched one died before starting it (its lock expired). Each is
 * confirmed by a second check, so a result already on its way is read first.
 */
export async function checkUnstarted(check: LostCheck): Promise<void> {
  const now = performance.now()
  const unstarted = [...check.handed.values()].filter(
    (item) => item.workerId === undefined && item.addedAt !== undefined && now - item.addedAt > check.checkInterval,
  )
  if (unstarted.length === 0) return
  const states = await unstartedStates(check.redis, check.queue, unstarted.map((item) => item.jobId))
  for (const item of unstarted) {
    if (check.handed.get(item.jobId) !== item || item.workerId !== undefined) continue
    const state = states.get(item.jobId) ?? 'queued'
    if (state === 'queued') item.suspect = false
    else if (!item.suspect) item.suspect = true
    else check.lost(item, undefined, state)
  }
}

/** Started jobs whose worker no longer heartbeats. */
export async function checkStarted(check: LostCheck): Promise<void> {
  const running = [...check.handed.values()].flatMap((item) =>
    item.workerId === undefined ? [] : [{ item, workerId: item.workerId }],
  )
  if (running.length === 0) return
  const alive = await aliveAmong(check.redis, check.queue, [...new Set(running.map((r) => r.workerId))])
  for (const { item, workerId } of running) {
    if (!alive.has(workerId) && check.handed.get(item.jobId) === item) check.lost(item, workerId)
  }
}
