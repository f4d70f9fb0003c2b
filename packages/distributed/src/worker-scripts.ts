/**
 * The worker's two Lua scripts, one request each per job: the start (at-most-once marker, start
 * envelope if asked for, early abort) and the finish (result envelope, markers dropped). Each runs atomically,
 * so a job never has its result pushed without its markers dropped, or the reverse.
 *
 * @module
 */
import type { Redis } from 'ioredis'

/**
 * Atomically: mark the job started (once ever), push the start envelope when the executor asked
 * for one, read an early abort. KEYS: ran marker, reply list, abort key (left out for a job
 * nothing can abort). ARGV: worker id, marker TTL, start envelope ('' for none), reply TTL.
 * Returns -1 when the marker is taken (the job's executor claimed it, to send the call again as a
 * new job; or a run of this job id set it before), the abort when one waits, else 0.
 */
const START = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return -1 end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if KEYS[3] then
  local abort = redis.call('GET', KEYS[3])
  if abort then return abort end
end
return 0`

/**
 * Atomically: push an envelope to the reply list (refreshing its TTL) and, once the job is
 * finished, drop its ran marker and abort key. KEYS: reply list, ran marker, abort key (left out
 * for a job nothing can abort). ARGV: envelope, reply TTL, '1' when finished.
 */
const FINISH = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  if KEYS[3] then redis.call('DEL', KEYS[2], KEYS[3]) else redis.call('DEL', KEYS[2]) end
end
return 0`

type Arg = string | number | Buffer

/**
 * The scripts, loaded once: EVALSHA then sends 40 bytes instead of the text. A Redis restart
 * forgets them: they are loaded again on the connection's 'ready', and a NOSCRIPT meanwhile falls
 * back to EVAL.
 */
export class WorkerScripts {
  readonly #redis: Redis
  readonly #shas = new Map<string, string>()

  private constructor(redis: Redis) {
    this.#redis = redis
  }

  /** Loads the scripts on `redis`, and again whenever it reconnects (errors go to `report`). */
  static async load(redis: Redis, report: (error: unknown) => void): Promise<WorkerScripts> {
    const scripts = new WorkerScripts(redis)
    await scripts.#loadAll()
    redis.on('ready', () => {
      scripts.#loadAll().catch(report)
    })
    return scripts
  }

  async #loadAll(): Promise<void> {
    for (const body of [START, FINISH]) this.#shas.set(body, String(await this.#redis.script('LOAD', body)))
  }

  async #run(body: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    const rest = [keys.length, ...keys, ...args]
    try {
      return await this.#redis.callBuffer('EVALSHA', [this.#shas.get(body) ?? '', ...rest])
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return this.#redis.callBuffer('EVAL', [body, ...rest])
    }
  }

  /**
   * See {@link START}: -1 (started before), the abort's bytes, or 0. `envelope`: the start
   * envelope, or '' for none; `abort`: the abort key, undefined for a job nothing can abort.
   */
  start(ran: string, reply: string, abort: string | undefined, workerId: string, ranTtl: number, envelope: Buffer | '', replyTtl: number): Promise<number | Buffer> {
    const keys = abort === undefined ? [ran, reply] : [ran, reply, abort]
    return this.#run(START, keys, [workerId, ranTtl, envelope, replyTtl]) as Promise<number | Buffer>
  }

  /** See {@link FINISH} (`abort` undefined: a job nothing can abort). */
  finish(reply: string, ran: string, abort: string | undefined, envelope: Buffer, replyTtl: number, finished: boolean): Promise<unknown> {
    const keys = abort === undefined ? [reply, ran] : [reply, ran, abort]
    return this.#run(FINISH, keys, [envelope, replyTtl, finished ? '1' : '0'])
  }
}
