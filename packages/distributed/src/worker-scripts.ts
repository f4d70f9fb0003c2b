/**
 * The worker's two Lua scripts: the start (at-most-once marker, start envelope if asked for, early
 * abort) and the finish (result envelope, markers dropped). The starts a worker asks for in one
 * event-loop turn (the jobs one Redis reply handed it) go as one call of the start script, and the
 * finishes of a turn as one call of the finish script, sent with the turn's other commands
 * (`write-batch.ts`). Each call runs atomically, and so each job's part of it: a job never has its
 * result pushed without its markers dropped, or the reverse.
 *
 * @module
 */
import type { Redis } from 'ioredis'
import type { TurnWrites } from './write-batch.js'

/**
 * For each job, atomically: mark it started (once ever), push its start envelope when the
 * executor asked for one, read an early abort. KEYS, three per job: ran marker, reply list, abort
 * key. ARGV: worker id, marker TTL, reply TTL, then two per job: start envelope ('' for none),
 * '1' when the job can be aborted (else its abort key is not read). Returns, per job, -1 when the
 * marker is taken (the job's executor claimed it, to send the call again as a new job; or a run
 * of this job id set it before), the abort when one waits, else 0.
 */
const START = `
local out = {}
for i = 0, #KEYS / 3 - 1 do
  local k, a = 3 * i, 4 + 2 * i
  if not redis.call('SET', KEYS[k + 1], ARGV[1], 'PX', ARGV[2], 'NX') then
    out[i + 1] = -1
  else
    if ARGV[a] ~= '' then
      redis.call('RPUSH', KEYS[k + 2], ARGV[a])
      redis.call('PEXPIRE', KEYS[k + 2], ARGV[3])
    end
    out[i + 1] = ARGV[a + 1] == '1' and redis.call('GET', KEYS[k + 3]) or 0
  end
end
return out`

/**
 * For each envelope, in order: push it to its reply list and, once its job is finished, drop the
 * job's ran marker (and abort key); then refresh the TTL of each list pushed to. Envelopes in a
 * row for the same list go in one RPUSH. KEYS, three per envelope: reply list, ran marker, abort
 * key. ARGV: reply TTL, then two per envelope: the envelope, and '0' (job not finished), '1'
 * (finished: drop the marker) or '2' (finished: drop the marker and the abort key).
 */
const FINISH = `
local lists, values = {}, {}
local function push(list)
  if #values > 0 then
    redis.call('RPUSH', list, unpack(values))
    values = {}
  end
end
local n = #KEYS / 3
for i = 0, n - 1 do
  local k, a = 3 * i, 2 + 2 * i
  values[#values + 1] = ARGV[a]
  lists[KEYS[k + 1]] = true
  if i == n - 1 or KEYS[k + 4] ~= KEYS[k + 1] or #values >= 500 then push(KEYS[k + 1]) end
  if ARGV[a + 1] == '1' then
    redis.call('DEL', KEYS[k + 2])
  elseif ARGV[a + 1] == '2' then
    redis.call('DEL', KEYS[k + 2], KEYS[k + 3])
  end
end
for list in pairs(lists) do redis.call('PEXPIRE', list, ARGV[1]) end
return 0`

type Arg = string | number | Buffer

/** One job's part of a batched call: its keys, its arguments, and its caller's promise. */
interface Part {
  readonly keys: readonly [string, string, string]
  readonly args: readonly [Arg, Arg]
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/** The parts of one script gathered in this turn, sent as one call at its end. */
class Batch {
  readonly #body: string
  readonly #send: (body: string, keys: string[], args: Arg[]) => Promise<unknown>
  readonly #turn: TurnWrites
  readonly #head: () => Arg[]
  #parts: Part[] = []
  readonly #flush = (): void => {
    const parts = this.#parts
    this.#parts = []
    const keys: string[] = []
    const args = this.#head()
    for (const part of parts) {
      keys.push(...part.keys)
      args.push(...part.args)
    }
    this.#send(this.#body, keys, args).then(
      (reply) => {
        for (let i = 0; i < parts.length; i++) parts[i]?.resolve(Array.isArray(reply) ? reply[i] : reply)
      },
      (error: unknown) => {
        for (const part of parts) part.reject(error)
      },
    )
  }

  constructor(body: string, send: (body: string, keys: string[], args: Arg[]) => Promise<unknown>, turn: TurnWrites, head: () => Arg[]) {
    this.#body = body
    this.#send = send
    this.#turn = turn
    this.#head = head
  }

  /** Adds one job's part to this turn's call; resolves with its share of the reply. */
  add(keys: readonly [string, string, string], args: readonly [Arg, Arg]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#parts.push({ keys, args, resolve, reject }) === 1) this.#turn.atTurnEnd(this.#flush)
    })
  }
}

/**
 * The scripts, loaded once: EVALSHA then sends 40 bytes instead of the text. A Redis restart
 * forgets them: they are loaded again on the connection's 'ready', and a NOSCRIPT meanwhile falls
 * back to EVAL.
 */
export class WorkerScripts {
  readonly #redis: Redis
  readonly #shas = new Map<string, string>()
  readonly #starts: Batch
  readonly #finishes: Batch

  private constructor(redis: Redis, turn: TurnWrites, workerId: string, ranTtl: number, replyTtl: number) {
    this.#redis = redis
    const send = (body: string, keys: string[], args: Arg[]): Promise<unknown> => this.#run(body, keys, args)
    this.#starts = new Batch(START, send, turn, () => [workerId, ranTtl, replyTtl])
    this.#finishes = new Batch(FINISH, send, turn, () => [replyTtl])
  }

  /**
   * Loads the scripts on `redis` (whose writes `turn` batches), and again whenever it reconnects
   * (errors go to `report`). Markers are set to `workerId` for `ranTtl` ms; reply lists live
   * `replyTtl` ms after each push.
   */
  static async load(
    redis: Redis,
    turn: TurnWrites,
    options: { workerId: string; ranTtl: number; replyTtl: number },
    report: (error: unknown) => void,
  ): Promise<WorkerScripts> {
    const scripts = new WorkerScripts(redis, turn, options.workerId, options.ranTtl, options.replyTtl)
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
   * Sent at the end of this turn, with the other starts asked for in it.
   */
  start(ran: string, reply: string, abort: string | undefined, envelope: Buffer | ''): Promise<number | Buffer> {
    return this.#starts.add([ran, reply, abort ?? ran], [envelope, abort === undefined ? '0' : '1']) as Promise<number | Buffer>
  }

  /**
   * See {@link FINISH} (`abort` undefined: a job nothing can abort, or one not finished, whose
   * abort key stays). Sent at the end of this turn, with the other finishes asked for in it.
   */
  finish(reply: string, ran: string, abort: string | undefined, envelope: Buffer, finished: boolean): Promise<unknown> {
    return this.#finishes.add([reply, ran, abort ?? ran], [envelope, !finished ? '0' : abort === undefined ? '1' : '2'])
  }
}
