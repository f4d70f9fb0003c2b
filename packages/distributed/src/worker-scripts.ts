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
 * Reads the fields {@link pack} wrote: a 4-byte big-endian length, then that many bytes, each.
 * (Lua of Redis 6.2 and newer has the `struct` library.)
 */
const READ = `
local blob, at = ARGV[#ARGV], 1
local function field()
  local n
  n, at = struct.unpack('>I4', blob, at)
  local value = string.sub(blob, at, at + n - 1)
  at = at + n
  return value
end`

/**
 * For each job, atomically: mark it started (once ever), push its start envelope when the
 * executor asked for one, read an early abort. ARGV: the queue's key prefix (`x:<queue>:`), worker
 * id, marker TTL, reply TTL, then the jobs packed ({@link pack}), four fields each: job id, reply
 * list, start envelope ('' for none), '1' when the job can be aborted (else its abort key is not
 * read). Returns, per job, -1 when the marker is taken (the job's executor claimed it as it gave
 * up on the job; or a run of this job id set it before), the abort when one waits, else 0.
 */
const START = `${READ}
local prefix, out = ARGV[1], {}
while at <= #blob do
  local id, reply, envelope, abortable = field(), field(), field(), field()
  if not redis.call('SET', prefix .. 'ran:' .. id, ARGV[2], 'PX', ARGV[3], 'NX') then
    out[#out + 1] = -1
  else
    if envelope ~= '' then
      redis.call('RPUSH', reply, envelope)
      redis.call('PEXPIRE', reply, ARGV[4])
    end
    out[#out + 1] = abortable == '1' and redis.call('GET', prefix .. 'abort:' .. id) or 0
  end
end
return out`

/**
 * For each run of envelopes to the same reply list, in order: push them to it (one RPUSH per 500)
 * and, for each whose job is finished, drop the job's ran marker (and abort key); then refresh the
 * TTL of each list pushed to. ARGV: the queue's key prefix, reply TTL, then the runs packed
 * ({@link pack}): the reply list, the number of envelopes, then per envelope the envelope and '0'
 * (job not finished, or finished without a marker: nothing to drop), '1' (finished: drop the
 * marker) or '2' (finished: drop the marker and the abort key), followed by the job id for '1'
 * and '2' only. (Two or three fields per job: Lua's share of a burst's finishes is small.)
 */
const FINISH = `${READ}
local prefix, lists = ARGV[1], {}
while at <= #blob do
  local list, n = field(), tonumber(field())
  lists[list] = true
  local values = {}
  for _ = 1, n do
    values[#values + 1] = field()
    local finished = field()
    if finished ~= '0' then
      local id = field()
      if finished == '1' then
        redis.call('DEL', prefix .. 'ran:' .. id)
      else
        redis.call('DEL', prefix .. 'ran:' .. id, prefix .. 'abort:' .. id)
      end
    end
    if #values >= 500 then
      redis.call('RPUSH', list, unpack(values))
      values = {}
    end
  end
  if #values > 0 then redis.call('RPUSH', list, unpack(values)) end
end
for name in pairs(lists) do redis.call('PEXPIRE', name, ARGV[2]) end
return 0`

type Field = string | Buffer

/**
 * The fields of a batch as one argument: each a 4-byte big-endian length and its bytes (strings
 * as UTF-8). One Buffer argument instead of five per job: ioredis converts and copies each
 * argument of a command that has a Buffer among them, and Redis makes each a Lua string.
 */
export function pack(fields: readonly Field[]): Buffer {
  let size = 0
  for (const field of fields) size += 4 + (typeof field === 'string' ? Buffer.byteLength(field) : field.length)
  const blob = Buffer.allocUnsafe(size)
  let at = 0
  for (const field of fields) {
    if (typeof field === 'string') {
      const length = blob.write(field, at + 4)
      blob.writeUInt32BE(length, at)
      at += 4 + length
    } else {
      blob.writeUInt32BE(field.length, at)
      field.copy(blob, at + 4)
      at += 4 + field.length
    }
  }
  return blob
}

/** What a job's part of a batched call is answered with: its share of the reply, or the call's error. */
type Answer<T> = (value: T) => void
type Failure = (error: unknown) => void

/** One job's part of a batched call: its fields, and its caller's callbacks. */
interface Part {
  /** (a finish's last field, its flag, is rewritten by {@link leaveOutMarkers}) */
  readonly fields: [Field, Field, Field, Field]
  readonly resolve: Answer<unknown>
  readonly reject: Failure
  /** a start's: until when (`performance.now()`) its marker may be left out (see {@link WorkerScripts.startThen}) */
  readonly unmarkedUntil?: number | undefined
}

/** Fails `part` (a callback that throws reaches nobody: the other parts are answered all the same). */
function fail(part: Part, error: unknown): void {
  try {
    part.reject(error)
  } catch {
    // its owner's error handler threw: nothing else to tell
  }
}

/** The parts of one script gathered in this turn, sent as one call at its end. */
class Batch {
  readonly #body: string
  readonly #send: (body: string, args: Field[]) => Promise<unknown>
  readonly #first: () => void
  readonly #head: readonly Field[]
  readonly #serialize: (parts: readonly Part[]) => Field[]
  /** the parts gathered in this turn (read and rewritten by {@link leaveOutMarkers} just before the flush) */
  parts: Part[] = []

  /** Sends the parts gathered so far as one call (nothing when there are none). */
  flush(): void {
    if (this.parts.length === 0) return
    const parts = this.parts
    this.parts = []
    this.#send(this.#body, [...this.#head, pack(this.#serialize(parts))]).then(
      (reply) => {
        // each part answered even if an earlier one's callback throws (its own part fails instead)
        parts.forEach((part, i) => {
          try {
            part.resolve(Array.isArray(reply) ? reply[i] : reply)
          } catch (error) {
            fail(part, error)
          }
        })
      },
      (error: unknown) => {
        for (const part of parts) fail(part, error)
      },
    )
  }

  /** `first`: called when a turn's first part is added (to have {@link Batch.flush} called at its end). */
  /** `serialize`: the fields of the packed argument, from the parts (in order). */
  constructor(
    body: string,
    send: (body: string, args: Field[]) => Promise<unknown>,
    first: () => void,
    head: readonly Field[],
    serialize: (parts: readonly Part[]) => Field[],
  ) {
    this.#body = body
    this.#send = send
    this.#first = first
    this.#head = head
    this.#serialize = serialize
  }

  /** Adds one job's part to this turn's call; `resolve` gets its share of the reply (no promise per job). */
  add(fields: [Field, Field, Field, Field], resolve: Answer<unknown>, reject: Failure, unmarkedUntil?: number): void {
    if (this.parts.push({ fields, resolve, reject, unmarkedUntil }) === 1) this.#first()
  }
}

/**
 * Leaves out the start marker, and its drop, of each job that starts and finishes in this turn
 * while it may (its start's `unmarkedUntil` not passed, no start envelope to push, no abort key):
 * the marker would be set and dropped again in the same write, one script call after the other,
 * and until then nobody can have claimed it (fresh-start.ts). Its start is answered 0 (started).
 */
function leaveOutMarkers(starts: Batch, finishes: Batch): void {
  if (starts.parts.length === 0 || finishes.parts.length === 0) return
  const finished = new Set<Field>()
  for (const { fields } of finishes.parts) if (fields[3] === '1') finished.add(fields[1])
  const now = performance.now()
  const unmarked = new Set<Field>()
  starts.parts = starts.parts.filter((part) => {
    const [jobId, , envelope, abortable] = part.fields
    if (!(now < (part.unmarkedUntil ?? -Infinity)) || envelope !== '' || abortable !== '0' || !finished.has(jobId)) return true
    unmarked.add(jobId)
    try {
      part.resolve(0)
    } catch (error) {
      fail(part, error)
    }
    return false
  })
  if (unmarked.size === 0) return
  // (its finish's flag set to '0' in place: no marker to drop)
  for (const { fields } of finishes.parts) if (fields[3] === '1' && unmarked.has(fields[1])) fields[3] = '0'
}

/** A start script's fields: each part's four, as they are. */
function startFields(parts: readonly Part[]): Field[] {
  const fields: Field[] = []
  for (const part of parts) for (const field of part.fields) fields.push(field)
  return fields
}

/**
 * A finish script's fields (see {@link FINISH}): the parts in runs of the same reply list, each
 * run its list and length, then per part its envelope and flag, and its job id when the flag drops
 * something.
 */
function finishFields(parts: readonly Part[]): Field[] {
  const fields: Field[] = []
  let count = 0
  let countAt = -1
  let list: Field | undefined
  for (const { fields: [reply, jobId, envelope, flag] } of parts) {
    if (reply !== list) {
      if (countAt >= 0) fields[countAt] = String(count)
      list = reply
      fields.push(reply, '')
      countAt = fields.length - 1
      count = 0
    }
    count++
    fields.push(envelope, flag)
    if (flag !== '0') fields.push(jobId)
  }
  if (countAt >= 0) fields[countAt] = String(count)
  return fields
}

/** What the scripts write: under which key prefix, as which worker, for how long. */
export interface ScriptOptions {
  /** The queue's key prefix, `x:<queue>:` (see `keys()` in protocol.ts) */
  readonly prefix: string
  /** The value of the markers this worker sets */
  readonly workerId: string
  /** Milliseconds a marker lives */
  readonly ranTtl: number
  /** Milliseconds a reply list lives after each push */
  readonly replyTtl: number
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
  #flushing = false

  private constructor(redis: Redis, turn: TurnWrites, options: ScriptOptions) {
    this.#redis = redis
    const send = (body: string, args: Field[]): Promise<unknown> => this.#run(body, args)
    const { prefix, workerId } = options
    // One flush per turn, the starts always before the finishes: a job that starts at once
    // (fresh-start.ts) may finish in the turn it started in, and its marker must be set before
    // its finish drops it (and its start envelope pushed before its result); or, when both are in
    // this turn, neither is sent (leaveOutMarkers).
    const flush = (): void => {
      this.#flushing = false
      leaveOutMarkers(this.#starts, this.#finishes)
      this.#starts.flush()
      this.#finishes.flush()
    }
    const first = (): void => {
      if (this.#flushing) return
      this.#flushing = true
      turn.atTurnEnd(flush)
    }
    this.#starts = new Batch(START, send, first, [prefix, workerId, String(options.ranTtl), String(options.replyTtl)], startFields)
    this.#finishes = new Batch(FINISH, send, first, [prefix, String(options.replyTtl)], finishFields)
  }

  /**
   * Loads the scripts on `redis` (whose writes `turn` batches), and again whenever it reconnects
   * (errors go to `report`).
   */
  static async load(redis: Redis, turn: TurnWrites, options: ScriptOptions, report: (error: unknown) => void): Promise<WorkerScripts> {
    const scripts = new WorkerScripts(redis, turn, options)
    await scripts.#loadAll()
    redis.on('ready', () => {
      scripts.#loadAll().catch(report)
    })
    return scripts
  }

  async #loadAll(): Promise<void> {
    for (const body of [START, FINISH]) this.#shas.set(body, String(await this.#redis.script('LOAD', body)))
  }

  async #run(body: string, args: readonly Field[]): Promise<unknown> {
    const rest = [0, ...args]
    try {
      return await this.#redis.callBuffer('EVALSHA', [this.#shas.get(body) ?? '', ...rest])
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return this.#redis.callBuffer('EVAL', [body, ...rest])
    }
  }

  /**
   * See {@link START}: -1 (started before), the abort's bytes, or 0. `envelope`: the start
   * envelope, or '' for none; `abortable`: false for a job nothing can abort (its abort key is
   * not read). Sent at the end of this turn, with the other starts asked for in it.
   */
  start(jobId: string, reply: string, abortable: boolean, envelope: Buffer | ''): Promise<number | Buffer> {
    return new Promise((resolve, reject) => {
      this.startThen(jobId, reply, abortable, envelope, resolve, reject)
    })
  }

  /**
   * {@link WorkerScripts.start} with callbacks instead of a promise (the worker's path: no promise
   * per job). `unmarkedUntil` (`performance.now()` time, for a fresh delivery: fresh-start.ts):
   * until then a job that also finishes in this turn sets no marker (and its finish drops none).
   */
  startThen(jobId: string, reply: string, abortable: boolean, envelope: Buffer | '', then: Answer<number | Buffer>, fail: Failure, unmarkedUntil?: number): void {
    this.#starts.add([jobId, reply, envelope, abortable ? '1' : '0'], then as Answer<unknown>, fail, unmarkedUntil)
  }

  /**
   * See {@link FINISH}: `finished` drops the job's marker, and its abort key when `abortable`
   * (a job nothing can abort has none). Sent at the end of this turn, with the other envelopes
   * pushed in it.
   */
  finish(reply: string, jobId: string, abortable: boolean, envelope: Buffer, finished: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.finishThen(reply, jobId, abortable, envelope, finished, resolve, reject)
    })
  }

  /** {@link WorkerScripts.finish} with callbacks instead of a promise. */
  finishThen(reply: string, jobId: string, abortable: boolean, envelope: Buffer, finished: boolean, then: Answer<unknown>, fail: Failure): void {
    this.#finishes.add([reply, jobId, envelope, !finished ? '0' : abortable ? '2' : '1'], then, fail)
  }
}
