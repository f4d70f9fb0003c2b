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

/** Which of `ids` still have a heartbeat key. */
export async function aliveAmong(redis: Redis, queue: string, ids: readonly string[]): Promise<Set<string>> {
  const k = keys(queue)
  const values = await redis.mget(ids.map((id) => k.worker(id)))
  return new Set(ids.filter((_, i) => values[i] !== null && values[i] !== undefined))
}
