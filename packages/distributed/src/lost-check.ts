import type { Redis } from 'ioredis'
import type { Queue } from 'bullmq'
import type { Item } from './item.js'
import { keys } from './protocol.js'
import { aliveAmong, unstartedStates } from './registry.js'
import type { UnstartedState } from './registry.js'

/** What the lost-worker check reads and whom it tells. */
export interface LostCheck {
  readonly redis: Redis
  readonly queue: string
  readonly bull: Queue
  readonly checkInterval: number
  /** the handed-over items by job id */
  readonly handed: ReadonlyMap<string, Item>
  /** an item's worker is gone (or BullMQ dropped the job): retry it (`retries`) or fail its future */
  lost(item: Item, workerId: string | undefined, state?: UnstartedState): void
  /** when this executor's connection last came back after a drop (`performance.now()`), if it did */
  reconnectedAt(): number | undefined
}

/**
 * The check's view of an executor: its session's connections, its queue and what it handed
 * over, and whom to tell.
 */
export function lostCheckOf(
  session: { readonly redis: Redis; readonly bull: Queue; readonly reconnectedAt: number | undefined },
  queue: string,
  checkInterval: number,
  handed: ReadonlyMap<string, Item>,
  on: Pick<LostCheck, 'lost'>,
): LostCheck {
  return { redis: session.redis, queue, bull: session.bull, checkInterval, handed, lost: on.lost, reconnectedAt: () => session.reconnectedAt }
}

/**
 * The heartbeat lifetime assumed for a worker this process never saw alive (milliseconds): five
 * times `serve()`'s default heartbeat.
 */
const DEFAULT_TTL_MS = 5000

/** The heartbeat lifetimes of the workers seen alive, by id (forgotten once declared lost). */
const ttls = new Map<string, number>()

/**
 * How long the start marker this executor claims for a job no worker reported starting lives
 * (milliseconds): a worker that fetched the job and was held up before its start script (a late
 * delivery, fresh-start.ts) finds it and does not run the job; the marker then expires by itself.
 */
export const CLAIM_TTL_MS = 10 * 60 * 1000

/** The value this executor writes into the start marker of a job it claims (no worker id looks like it). */
const CLAIMED = '-'

/**
 * Claims the start marker of a job no worker reported starting. `undefined`: claimed, so no
 * delivery of the job can ever start it (the workers' start script finds the marker set); else
 * the id of the worker that did start it (its start envelope is on its way).
 */
async function claimStart(redis: Redis, queue: string, jobId: string): Promise<string | undefined> {
  const marker = keys(queue).ran(jobId)
  const [set, owner] = (await redis.multi().set(marker, CLAIMED, 'PX', CLAIM_TTL_MS, 'NX').get(marker).exec()) ?? []
  if (set?.[1] === 'OK') return undefined
  const value = owner?.[1]
  return typeof value === 'string' && value !== CLAIMED ? value : undefined
}

/**
 * Removes a job that will never report (its worker is gone, or this executor claimed it) from
 * BullMQ, and once BullMQ no longer has it, its start marker and abort key: nothing can deliver
 * it again, so nothing is left in Redis but, for a job this executor claimed, its start marker
 * (see {@link CLAIM_TTL_MS}). A job still locked by a live worker stays (its marker keeps it from
 * running twice; both expire). `workerGone`: the job's worker no longer heartbeats, so its BullMQ
 * lock is dropped first, and if the job is locked again all the same (a live worker's stalled
 * check moved it back to the wait list and another worker took it, to fail it without running it:
 * serve()'s `maxStalledCount: 0`), the dead worker's marker becomes this executor's claim, which
 * expires after {@link CLAIM_TTL_MS} instead of a day later: that worker's job then removes itself
 * (`removeOnFail`) and leaves nothing else behind.
 */
export async function forgetJob(redis: Redis, bull: Queue, queue: string, jobId: string, workerGone = false): Promise<void> {
  const k = keys(queue)
  // BullMQ keeps a dead worker's lock for its lockDuration (30 s): the heartbeat already said it is gone
  if (workerGone) await redis.del(`bull:${queue}:${jobId}:lock`)
  const removed = await bull.remove(jobId).catch(() => 0)
  const gone = removed === 1 || (await redis.exists(`bull:${queue}:${jobId}`)) === 0
  if (!gone) {
    if (workerGone) await redis.multi().set(k.ran(jobId), CLAIMED, 'PX', CLAIM_TTL_MS).del(k.abort(jobId)).exec()
    return
  }
  // A claimed marker stays (it expires after CLAIM_TTL_MS): a live worker may still hold the old
  // delivery, before its start script. A dead worker's marker can go.
  if (workerGone) await redis.del(k.ran(jobId), k.abort(jobId))
  else await redis.del(k.abort(jobId))
}

/**
 * Which worker started, or fetched, each handed-over job whose start this executor has not heard
 * of: jobs start quietly (no start envelope), and the worker's id is in their start marker. A
 * worker may start a fresh job before its marker is set (fresh-start.ts), so a job with no marker
 * is not known never to have started once a worker fetched it: BullMQ writes the fetching
 * worker's name (serve() names its BullMQ workers by worker id) into the job (`pb`, processedBy)
 * in the same script that makes it active, and that worker is then taken as the job's worker
 * (`item.fetched`): lost when its heartbeat stops, never sent again. One pipeline for them all.
 */
async function learnStarted(check: LostCheck): Promise<void> {
  const unknown = [...check.handed.values()].filter((item) => (item.workerId === undefined || item.fetched) && item.addedAt !== undefined)
  if (unknown.length === 0) return
  const k = keys(check.queue)
  const jobIds = unknown.map((item) => item.jobId)
  const batch = check.redis.pipeline()
  for (const jobId of jobIds) batch.get(k.ran(jobId)).hget(`bull:${check.queue}:${jobId}`, 'pb')
  const replies = (await batch.exec()) ?? []
  unknown.forEach((item, i) => {
    // (a retry meanwhile gave the item a new job id: that job's marker says nothing yet)
    if (item.jobId !== jobIds[i] || check.handed.get(item.jobId) !== item) return
    const [owner, fetcher] = [replies[2 * i]?.[1], replies[2 * i + 1]?.[1]]
    if (typeof owner === 'string' && owner !== CLAIMED) {
      item.workerId = owner
      item.fetched = false
    } else if (item.workerId === undefined && typeof fetcher === 'string' && fetcher !== '') {
      item.workerId = fetcher
      item.fetched = true
    }
  })
}

/**
 * Jobs no worker reported starting: BullMQ may have failed or dropped one (no result will ever
 * come), or the worker that fetched one died (its lock expired). Each is confirmed by a second
 * check, so a result already on its way is read first. Jobs a worker started quietly are
 * recognised first, by their start markers, and jobs a worker fetched by BullMQ's record of it.
 * A job only fetched is checked here too: BullMQ may fail it (its lock expired) while the worker
 * that fetched it lives on, and its future must not wait for that worker forever.
 */
export async function checkUnstarted(check: LostCheck): Promise<void> {
  await learnStarted(check)
  const now = performance.now()
  const unstarted = [...check.handed.values()].filter(
    (item) => (item.workerId === undefined || item.fetched) && item.addedAt !== undefined && now - item.addedAt > check.checkInterval,
  )
  if (unstarted.length === 0) return
  const states = await unstartedStates(check.redis, check.queue, unstarted.map((item) => item.jobId))
  // A Redis that came back may have lost the start markers of running jobs with everything else:
  // their workers set them again as they reconnect, so within a heartbeat lifetime of this
  // executor's reconnect no job is taken for one that never started.
  const reconnectedAt = check.reconnectedAt()
  const settling = reconnectedAt !== undefined && performance.now() - reconnectedAt < Math.max(DEFAULT_TTL_MS, ...ttls.values())
  for (const item of unstarted) {
    if (!isUnstarted(check, item, item.jobId)) continue
    const state = states.get(item.jobId) ?? 'queued'
    if (state === 'queued') item.suspect = false
    else if (!item.suspect) item.suspect = true
    else if (settling) continue
    else await abandon(check, item, state)
  }
}

/** Whether `item` is still handed over as `jobId` with no start reported (awaits may change both). */
function isUnstarted(check: LostCheck, item: Item, jobId: string): boolean {
  return check.handed.get(jobId) === item && (item.workerId === undefined || item.fetched)
}

/**
 * A job BullMQ dropped, or whose fetching worker died, before any worker reported starting it.
 * It is never sent again as if it had not run: a worker may start a fresh job before its start
 * marker is set (fresh-start.ts), and a worker that ends its process in the task's first turn
 * leaves no marker, so "no marker" does not prove "never ran" for a job a worker may have fetched;
 * and BullMQ's record of the fetch goes with the job when BullMQ drops it. So the future fails
 * with `WorkerLostError` (or is retried, when the executor has `retries`). This executor first
 * claims the job's start marker: a worker that did start it (its marker set) becomes the job's
 * worker (lost at the next check if its heartbeat is gone), and a delivery held up before its
 * start script finds the claim and runs nothing.
 */
async function abandon(check: LostCheck, item: Item, state: UnstartedState): Promise<void> {
  const jobId = item.jobId
  const owner = await claimStart(check.redis, check.queue, jobId)
  if (!isUnstarted(check, item, jobId)) return // its envelope came meanwhile
  if (owner !== undefined) {
    item.workerId = owner
    item.fetched = false
    return
  }
  await forgetJob(check.redis, check.bull, check.queue, jobId)
  if (!isUnstarted(check, item, jobId)) return
  check.lost(item, item.workerId, state)
}

/**
 * Started jobs whose worker no longer heartbeats. A Redis restart loses every heartbeat key: a
 * live worker registers again at its next beat, so a worker missing within its heartbeat lifetime
 * after this executor's connection came back is not lost yet.
 */
export async function checkStarted(check: LostCheck): Promise<void> {
  const running = [...check.handed.values()].flatMap((item) =>
    item.workerId === undefined ? [] : [{ item, workerId: item.workerId }],
  )
  if (running.length === 0) return
  const alive = await aliveAmong(check.redis, check.queue, [...new Set(running.map((r) => r.workerId))])
  for (const [id, info] of alive) ttls.set(id, info.ttl)
  // read after the MGET: one sent while Redis was away ran once the connection came back
  const reconnectedAt = check.reconnectedAt()
  const sinceReconnect = reconnectedAt === undefined ? Infinity : performance.now() - reconnectedAt
  for (const { item, workerId } of running) {
    if (alive.has(workerId) || check.handed.get(item.jobId) !== item) continue
    if (sinceReconnect < (ttls.get(workerId) ?? DEFAULT_TTL_MS)) continue
    ttls.delete(workerId)
    check.lost(item, workerId)
  }
}
