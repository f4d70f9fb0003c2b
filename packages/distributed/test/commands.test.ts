// Redis requests per job: what the executor and the worker send for each job, counted at the
// client (every ioredis command of this process, by connection name): a load-independent measure
// of the distributed path's cost (apps/bench/src/distributed/commands.mjs compares it with raw
// BullMQ's). A count, not a timing: it holds on any machine.
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const add = task<(a: number, b: number) => number>(new URL('tasks.mjs', root), 'add')

interface Sent {
  readonly connection: string
  readonly name: string
  readonly args: readonly unknown[]
}

/** Records every command this process's ioredis clients send, until the returned function is called. */
function recordCommands(sent: Sent[]): () => void {
  type Send = (this: Redis, command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown
  const proto = Redis.prototype as unknown as { sendCommand: Send }
  const original = proto.sendCommand
  proto.sendCommand = function (this: Redis, command, ...rest) {
    sent.push({ connection: this.options.connectionName ?? '', name: command.name.toLowerCase(), args: command.args })
    return original.call(this, command, ...rest)
  }
  return () => {
    proto.sendCommand = original
  }
}

/** The fields a worker script's packed argument holds (4-byte big-endian length, then the bytes, each). */
function unpack(blob: Buffer): string[] {
  const fields: string[] = []
  for (let at = 0; at < blob.length; ) {
    const length = blob.readUInt32BE(at)
    fields.push(blob.toString('utf8', at + 4, at + 4 + length))
    at += 4 + length
  }
  return fields
}

describe.skipIf(!hasRedis)('Redis requests per job', () => {
  let stop: (() => void) | undefined
  afterEach(() => {
    stop?.()
    stop = undefined
  })

  it('one job at a time: the executor sends its add and one blocking read, the worker one finish script (a fresh job that ends in its first turn sets no start marker), however many jobs came before', async () => {
    const queue = freshQueue('commands')
    const local = new AsyncPoolExecutor({ maxWorkers: 2 })
    const workerId = `commands-${queue}`
    await using worker = await serve({ connection: REDIS_URL, queue, root, executor: local, id: workerId })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2 })
    expect(await ex.submit(add, 0, 1)).toBe(1) // connected, scripts loaded
    const sent: Sent[] = []
    stop = recordCommands(sent)
    const n = 40
    for (let i = 0; i < n; i++) expect(await ex.submit(add, i, 1)).toBe(i + 1)
    stop()
    const fromExecutor = sent.filter((s) => s.connection.startsWith('x-executor-'))
    const named = (...names: string[]): Sent[] => fromExecutor.filter((s) => names.includes(s.name))
    const scripts = sent.filter(
      (s) => s.connection === `x-worker-${workerId}` && s.name === 'evalsha' && String(s.args[2]) === `x:${queue}:`,
    )
    // per job: BullMQ's add (one EVALSHA) ...
    expect(named('evalsha')).toHaveLength(n)
    // ... and the read the result wakes (the job starts quietly: no start envelope wakes it): one
    // BLMPOP on Redis 7, a BLPOP and the LPOPs that drain the list on Redis 6.2
    const probe = new Redis(REDIS_URL)
    const major = Number(/redis_version:(\d+)/u.exec(await probe.info('server'))?.[1])
    probe.disconnect()
    expect(named('blmpop', 'blpop', 'lpop').length).toBeLessThanOrEqual(major >= 7 ? n + 1 : 3 * n + 1)
    // nothing else but the once-a-second lost-worker check (an INFO per submit was a reader
    // loop started again by every submit; its MGETs read heartbeats and start markers)
    expect(fromExecutor.filter((s) => !['evalsha', 'blmpop', 'blpop', 'lpop', 'mget'].includes(s.name))).toEqual([])
    // per job: the finish script (result envelope) only, one request: a fresh job (fetched less
    // than half a lock lifetime ago: fresh-start.ts) that finishes in the turn it starts sets no
    // start marker (its start and finish scripts would set it and drop it again in the same write)
    expect(scripts).toHaveLength(n)
    // (after the sha and a key count of 0: the queue's key prefix, the result list's TTL, and the
    // envelopes packed: the reply list, their number, then each envelope and its flag, plus the job
    // id when the flag drops a marker; one job each here): none drops a marker it did not set
    for (const finish of scripts) {
      expect(finish.args).toHaveLength(5)
      const fields = unpack(finish.args[4] as Buffer)
      expect(fields).toHaveLength(4)
      const [reply, count, envelope, finished] = fields
      expect(reply).toMatch(new RegExp(`^x:${queue}:results:`, 'u'))
      expect(count).toBe('1')
      const sent = JSON.parse(envelope ?? '') as { t: string; jobId: string }
      expect(sent.t).toBe('ok')
      expect(sent.jobId).toMatch(/^[\w-]{16}-\d+$/u)
      expect(finished).toBe('0')
    }
    const probeKeys = new Redis(REDIS_URL)
    expect(await probeKeys.keys(`x:${queue}:ran:*`)).toEqual([])
    probeKeys.disconnect()
    await worker.close()
    await local.shutdown()
  })
})
