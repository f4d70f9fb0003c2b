/**
 * When a worker may start a job's task without waiting for its start script's answer.
 *
 * The start script sets the job's start marker (at most once, see `START` in worker-scripts.ts);
 * what it guards against is the job's executor claiming that marker as it gives up on the job and
 * fails its future (lost-check.ts), which it does only for a job it saw, on two checks a
 * `checkInterval` apart, **orphaned** (active in BullMQ, its lock expired) or **gone** (BullMQ no
 * longer has it). A job this worker fetched is neither while the lock BullMQ set for it at the
 * fetch is alive: BullMQ moved it from the wait list to the active list with a lock of
 * `lockDuration` in the same script, and no one removes a locked job. So a delivery whose task
 * starts well within `lockDuration` of the fetch request starts a job nobody can have claimed: its
 * marker goes out in the same turn, before the job's result on the same connection, and the worker
 * skips one round trip to Redis per job. A late delivery (the worker was held up longer than half
 * the lock's lifetime), and a job that may be aborted before it starts (its abort key is read by
 * the same script), wait for the answer as before. A fresh job that also finishes in the turn it
 * starts, while still fresh, sets no marker at all (its start and finish would set and drop it in
 * the same write): like a worker that dies before the marker leaves, its executor knows the
 * fetching worker from BullMQ's record.
 *
 * A worker that dies before the marker leaves (a task that ends its process in its first turn)
 * leaves a job with no marker that may have run: the executor never sends such a job again, since
 * BullMQ records the worker that fetched a job (`processedBy`, serve() names its BullMQ workers by
 * worker id); the future fails with `WorkerLostError` once that worker's heartbeat is gone.
 *
 * @internal
 * @module
 */
import type { Job } from 'bullmq'
import type { JobData } from './job-data.js'

/**
 * Whether `job` (fetched under a lock of `lockDuration` ms) may start before its start script
 * answers: it cannot be aborted, and BullMQ's fetch of it was sent (`job.processedOn`, this
 * process's clock, written by BullMQ's fetch) less than half of `lockDuration` ago. A clock that
 * jumped backwards counts as late. (Only a clock stepped back by more than half the lock's
 * lifetime between the fetch and the processor would make a late delivery look fresh.)
 */
export function startsAtOnce(job: Pick<Job<JobData>, 'processedOn'>, abortable: boolean, lockDuration: number, now = Date.now()): boolean {
  return freshFor(job, abortable, lockDuration, now) > 0
}

/**
 * How many more milliseconds `job` stays fresh (see {@link startsAtOnce}; 0: not fresh). While it
 * is, nobody can have claimed its start marker: a job that also finishes within that time, in the
 * turn it starts, needs no marker at all (its start and finish would set it and drop it again in
 * the same write: `leaveOutMarkers` in worker-scripts.ts).
 */
export function freshFor(job: Pick<Job<JobData>, 'processedOn'>, abortable: boolean, lockDuration: number, now = Date.now()): number {
  if (abortable) return 0
  const age = now - Number(job.processedOn)
  return Number.isFinite(age) && age >= 0 && age < lockDuration / 2 ? lockDuration / 2 - age : 0
}
