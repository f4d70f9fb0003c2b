import type { Redis } from 'ioredis'
import { keys } from './protocol.js'
import type { WorkerInfo } from './protocol.js'

/**
 * The live workers of a queue, read from their heartbeat keys: a worker whose key expired is
 * gone (and is dropped from the set of ids).
 */
export async function liveWorkers(redis: Redis, queue: string): Promise<Map<string, WorkerInfo>> {
  const k = keys(queue)
  const ids = await redis.smembers(k.workers)
  const live = new Map<string, WorkerInfo>()
  if (ids.length === 0) return live
  const values = await redis.mget(ids.map((id) => k.worker(id)))
  const gone: string[] = []
  ids.forEach((id, i) => {
    const value = values[i]
    if (value === null || value === undefined) gone.push(id)
    else live.set(id, JSON.parse(value) as WorkerInfo)
  })
  if (gone.length > 0) await redis.srem(k.workers, ...gone)
  return live
}

/** Which of `ids` still have a heartbeat key, with what they registered. */
export async function aliveAmong(redis: Redis, queue: string, ids: readonly string[]): Promise<Map<string, WorkerInfo>> {
  const k = keys(queue)
  const values = await redis.mget(ids.map((id) => k.worker(id)))
  const alive = new Map<string, WorkerInfo>()
  ids.forEach((id, i) => {
    const value = values[i]
    if (value !== null && value !== undefined) alive.set(id, JSON.parse(value) as WorkerInfo)
  })
  return alive
}

/** Where BullMQ has a job that no worker reported starting. */
export type UnstartedState = 'queued' | 'gone' | 'orphaned'

/**
 * For jobs handed to BullMQ that no worker reported starting: `queued` (waiting, or active under a
 * live lock), `gone` (BullMQ no longer has it: it failed there, or someone removed it) or
 * `orphaned` (active, but its lock expired: the worker that fetched it died before starting it).
 */
export async function unstartedStates(redis: Redis, queue: string, jobIds: readonly string[]): Promise<Map<string, UnstartedState>> {
  const batch = redis.pipeline()
  for (const jobId of jobIds) {
    batch.exists(`bull:${queue}:${jobId}`)
    batch.exists(`bull:${queue}:${jobId}:lock`)
    batch.lpos(`bull:${queue}:active`, jobId)
  }
  const replies = (await batch.exec()) ?? []
  const states = new Map<string, UnstartedState>()
  jobIds.forEach((jobId, i) => {
    const [exists, locked, active] = [replies[3 * i]?.[1], replies[3 * i + 1]?.[1], replies[3 * i + 2]?.[1]]
    if (exists === 0) states.set(jobId, 'gone')
    else if (active !== null && active !== undefined && locked === 0) states.set(jobId, 'orphaned')
    else states.set(jobId, 'queued')
  })
  return states
}

/** Small numbers for worker ids, in the order first seen (diagnostics' `workerId`). */
export class WorkerNumbers {
  readonly #numbers = new Map<string, number>()

  /** The worker's number: 1 for the first id seen, 2 for the next, ... */
  of(id: string): number {
    let n = this.#numbers.get(id)
    if (n === undefined) this.#numbers.set(id, (n = this.#numbers.size + 1))
    return n
  }
}
