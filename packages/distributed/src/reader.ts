import type { RedisClient } from './connection.js'

/**
 * Reads an executor's result list until `stopped()`: one blocking BLPOP on its own connection,
 * then LPOPs of up to 500 on the command connection while more are there. A connection error
 * (Redis restarting) pauses 100 ms and reads on; the entries stay in the list meanwhile, so
 * nothing is lost while disconnected.
 */
export async function readResults(
  block: RedisClient,
  cmd: RedisClient,
  key: string,
  stopped: () => boolean,
  receive: (data: Buffer) => void,
): Promise<void> {
  while (!stopped()) {
    try {
      const first = await block.redis.blpopBuffer(key, 0)
      if (first === null) continue
      receive(first[1])
      for (;;) {
        const more = await cmd.redis.lpopBuffer(key, 500)
        if (more === null || more.length === 0) break
        for (const data of more) receive(data)
      }
    } catch {
      if (stopped()) break
      await new Promise((resolve) => setTimeout(resolve, 100).unref())
    }
  }
}
