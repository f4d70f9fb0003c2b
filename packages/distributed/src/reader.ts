import type { Redis } from 'ioredis'
import type { RedisClient } from './connection.js'

/** How many envelopes one read takes at most. */
const BATCH = 500

/** Whether the server has BLMPOP (Redis 7.0 or newer): one blocking call that takes a whole batch. */
async function hasBlmpop(redis: Redis): Promise<boolean> {
  try {
    const version = /redis_version:(\d+)/u.exec(await redis.info('server'))?.[1]
    return Number(version) >= 7
  } catch {
    return false
  }
}

/**
 * Reads an executor's result list until `stopped()`. On Redis 7 and newer, one blocking BLMPOP
 * takes up to 500 envelopes at a time on its own connection; on Redis 6.2, a BLPOP, then LPOPs
 * of up to 500 on the command connection while more are there (one more round trip per wake-up).
 * A connection error (Redis restarting) pauses 100 ms and reads on; the entries stay in the list
 * meanwhile, so nothing is lost while disconnected.
 */
export async function readResults(
  block: RedisClient,
  cmd: RedisClient,
  key: string,
  stopped: () => boolean,
  receive: (data: Buffer) => void,
): Promise<void> {
  const batched = await hasBlmpop(cmd.redis)
  while (!stopped()) {
    try {
      if (batched) {
        const reply = (await block.redis.callBuffer('BLMPOP', ['0', '1', key, 'LEFT', 'COUNT', String(BATCH)])) as [Buffer, Buffer[]] | null
        for (const data of reply?.[1] ?? []) receive(data)
        continue
      }
      const first = await block.redis.blpopBuffer(key, 0)
      if (first === null) continue
      receive(first[1])
      for (;;) {
        const more = await cmd.redis.lpopBuffer(key, BATCH)
        if (more === null || more.length === 0) break
        for (const data of more) receive(data)
      }
    } catch {
      if (stopped()) break
      await new Promise((resolve) => setTimeout(resolve, 100).unref())
    }
  }
}
