/**
 * Workers' lives: start (with backoff after failed starts), ready, idle, stop, and death with
 * recovery. A dead worker fails exactly the futures it was running (naming the exit code or the
 * signal); everything sent ahead that had not started goes back to the FRONT of the queue; a
 * worker that died while starting is retried after a short delay, and the pool breaks only when
 * starts keep failing with none succeeding. An initializer that throws breaks the pool at once.
 *
 * @module
 */
import { channels, deserializeError, isSerializedError } from '@x/future'
import type { WaitEndEvent, WorkerExitEvent } from '@x/future'
import { describeExit, splitDeadWorker } from '../dead-worker.js'
import { detach } from './abort.js'
import { steal } from './claiming.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import type { StartVerdict } from '../start-backoff.js'
import { newWorkerRecord } from './worker-record.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/** Starts one worker. */
export function spawn<H>(engine: PoolEngine<H>): void {
  const worker = newWorkerRecord(engine.freeWorkerIds.pop() ?? engine.nextWorkerId++)
  engine.workers.add(worker)
  engine.starting++
  try {
    worker.handle = engine.transport.start(worker.workerId, {
      open: () => {
        if (worker.life !== 'starting' || worker.open) return
        worker.open = true
        // (never at once: the transport may call it from start(), before the handle is known)
        if (engine.queued > 0) engine.schedule()
      },
      message: (message) => {
        engine.onWorkerMessage(worker, message)
      },
      result: (id, value, meanMs) => {
        engine.onWorkerResult(worker, id, value, meanMs)
      },
      ready: (initError) => {
        onReady(engine, worker, initError)
      },
      exit: (exitCode, signal, crash) => {
        worker.exitCode = exitCode
        worker.signal = signal
        if (crash !== undefined) worker.crash ??= crash
        onGone(engine, worker)
      },
    })
  } catch (error) {
    engine.workers.delete(worker)
    engine.starting--
    engine.break(engine.errors.broken(`a ${engine.errors.workerNoun} could not be started, the ${engine.errors.poolNoun} is not usable`, { cause: error }))
  }
}

function onReady<H>(engine: PoolEngine<H>, worker: WorkerRecord, initError: unknown): void {
  if (worker.life !== 'starting') return
  engine.starting--
  worker.life = 'ready'
  if (initError !== undefined) {
    engine.break(
      engine.errors.broken(engine.errors.initializerFailed, {
        cause: isSerializedError(initError) ? deserializeError(initError) : initError,
      }),
    )
    return
  }
  engine.backoff.started()
  // An idle worker never keeps the host alive; dispatch refs it while it has work (work sent while
  // it started included: said again, as the transport's start-up may have unreferenced it since).
  engine.transport.ref(worker.handle as H, worker.referenced)
  if (engine.stopWhenDrained) engine.maybeStopWorkers()
  engine.pumpNow()
  armIdle(engine, worker)
  // claims policy: a worker that comes up after the work went to the others takes its share
  if (worker.held.size === 0) steal(engine, worker)
}

/** After results (or a failed send): recycle, stop or idle the worker, and send more work. */
export function afterResults<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  if (worker.held.size === 0) {
    worker.cap = Infinity
    if (worker.referenced) {
      worker.referenced = false
      engine.transport.ref(worker.handle as H, false)
    }
    const limit = engine.options.maxWorkers + engine.lent
    const maxTasks = engine.options.maxTasksPerWorker
    // (countStopping() only when there are more workers than the limit: a loop over them all)
    if ((maxTasks !== undefined && worker.assigned >= maxTasks) || (engine.workers.size > limit && engine.workers.size - engine.countStopping() > limit)) {
      void stop(engine, worker)
    } else {
      armIdle(engine, worker)
      // claims policy: with nothing queued, take work sent ahead to a busier worker (if any)
      if (engine.workers.size > 1) steal(engine, worker)
    }
  }
  engine.checkDrained()
  engine.maybeStopWorkers()
  // (with nothing queued the dispatcher has nothing to send nor workers to start)
  if (engine.queued > 0) engine.schedule()
}

function armIdle<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  const idleTimeout = engine.options.idleTimeout
  if (idleTimeout === undefined || worker.life !== 'ready' || worker.held.size > 0) return
  if (worker.idleTimer !== undefined) clearTimeout(worker.idleTimer)
  worker.idleTimer = setTimeout(() => {
    worker.idleTimer = undefined
    if (worker.life !== 'ready' || worker.held.size > 0) return
    // minWorkers stay, idle or not
    let live = 0
    for (const w of engine.workers) if (w.life === 'starting' || w.life === 'ready') live++
    if (live > (engine.options.minWorkers ?? 0)) void stop(engine, worker)
  }, idleTimeout)
  worker.idleTimer.unref()
}

/** Ends a worker gracefully (it has nothing to run); resolves when it has exited. */
export function stop<H>(engine: PoolEngine<H>, worker: WorkerRecord): Promise<void> {
  if (worker.life === 'gone') return worker.gone
  if (worker.life !== 'stopping') {
    if (worker.life === 'starting') engine.starting--
    worker.life = 'stopping'
    engine.transport.stop(worker.handle as H)
  }
  return worker.gone
}

/** The worker exited: recovery. */
function onGone<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  if (worker.life === 'gone') return
  const neverReady = worker.life === 'starting'
  if (neverReady) engine.starting--
  worker.life = 'gone'
  engine.workers.delete(worker)
  engine.freeWorkerIds.push(worker.workerId)
  if (worker.idleTimer !== undefined) clearTimeout(worker.idleTimer)
  const held = [...worker.held.values()]
  worker.held.clear()
  worker.heldBytes = 0
  engine.inflight -= held.length
  const handle = worker.handle as H
  const { finished, running, unstarted } =
    engine.broken !== undefined || engine.forced
      ? splitDeadWorker(held, undefined)
      : engine.claims.splitDead(held, () => engine.transport.startedAt(handle, held))
  for (const item of held) engine.claims.release(item)
  // Work that moved buffers to the dead worker cannot be sent again: it fails too.
  const lost = unstarted.filter((item) => item.transfer !== undefined && !item.future.done())
  const again = lost.length === 0 ? unstarted : unstarted.filter((item) => item.transfer === undefined)
  const failed = [...finished, ...running, ...lost]
  // A start failure that breaks the pool is told by the pool's error, not as a worker's exit.
  // A worker that ran work it was sent while starting had started, whatever killed it.
  const startFailed = neverReady && finished.length === 0 && running.length === 0 && worker.assigned === held.length
  const verdict = startFailed && engine.broken === undefined ? engine.backoff.failed(startKilled(worker)) : undefined
  const breaks = verdict !== undefined && !verdict.retry && !anyReady(engine)
  if (channels.workerExit.hasSubscribers && !breaks) {
    channels.workerExit.publish({
      executorId: engine.options.executorId,
      workerId: worker.workerId,
      exitCode: worker.exitCode,
      signal: worker.signal,
      futureIds: failed.map((item) => item.future.id),
    } satisfies WorkerExitEvent)
  }
  for (const waitId of worker.waits.values()) {
    if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId, reason: 'rejected' } satisfies WaitEndEvent)
  }
  worker.waits.clear()
  requeue(engine, again)
  for (const item of failed) fail(engine, worker, item, lost.includes(item))
  engine.transport.release(handle)
  worker.markGone()
  if (verdict !== undefined && engine.broken === undefined) onStartFailed(engine, worker, verdict)
  engine.checkDrained()
  // a worker that had started (recycled, idle too long, dead) is replaced to keep minWorkers
  if (!startFailed) engine.ensureMinWorkers()
  engine.schedule()
}

/**
 * Work that never started goes back to the front of the queue, in order; work whose signal
 * aborted meanwhile does not (its worker may have been ended over it, still starting, when the
 * abort grace period ran out: sent again, it would end the next worker the same way, and so on).
 */
function requeue<H>(engine: PoolEngine<H>, items: EngineItem[]): void {
  const again: EngineItem[] = []
  for (const item of items) {
    item.worker = undefined
    item.announced = false
    const aborted = item.signal?.aborted === true
    if (item.future.done() || aborted) {
      item.state = 'done'
      detach(item)
      // as queued work that is aborted: cancelled, or (RUNNING since it was sent) failed with the reason
      if (aborted && !item.future.done()) {
        if (item.future.cancel()) item.future.setRunningOrNotifyCancel()
        else item.future.setException(item.signal.reason)
      }
      continue
    }
    item.state = 'queued'
    again.push(item)
  }
  engine.queue.unshiftAll(again)
  engine.queued += again.length
}

function fail<H>(engine: PoolEngine<H>, worker: WorkerRecord, item: EngineItem, lost: boolean): void {
  item.state = 'done'
  detach(item)
  if (!item.future.done() && !item.future.running()) item.future.setRunningOrNotifyCancel()
  const killed = worker.killedFor
  if (item === killed?.item) {
    if (!item.future.done()) item.future.setException(killed.reason)
    return
  }
  // It may be what killed the worker: never send it ahead again.
  if (!lost) engine.window.markRisky(item.specId)
  if (item.future.done()) return
  const pid = engine.transport.pid(worker.handle as H)
  item.future.setException(
    engine.broken ??
      engine.errors.died(item.future, item.future.name ?? item.spec.name, {
        exitCode: worker.exitCode,
        signal: worker.signal,
        crash: worker.crash,
        pid,
        detail: lost ? 'its transferred arguments were lost with the worker before it started' : undefined,
      }),
  )
}

/** A worker died before it was ready: retry after a delay, or break after too many in a row. */
function onStartFailed<H>(engine: PoolEngine<H>, worker: WorkerRecord, verdict: StartVerdict): void {
  // dispatch starts the next one after backoff.delayMs; while another worker serves, the pool
  // is not broken, whatever happens to the ones starting (a kill from outside, say)
  if (verdict.retry || anyReady(engine)) return
  const { workerNoun, workersNoun, poolNoun } = engine.errors
  const death = { exitCode: worker.exitCode, signal: worker.signal, crash: worker.crash, pid: engine.transport.pid(worker.handle as H) }
  const failingForMs = engine.backoff.failingForMs
  if (engine.errors.startFailed !== undefined) {
    engine.break(engine.errors.startFailed(death, verdict.failures, failingForMs))
    return
  }
  engine.break(
    engine.errors.broken(
      `A ${workerNoun} ${describeExit(worker.exitCode, worker.signal)} while starting, the last of ` +
        `${String(verdict.failures)} ${workersNoun} in a row that died before they were ready, over ${seconds(failingForMs)} ` +
        `(none started in between, each retried after a growing delay): the ${poolNoun} is not usable anymore`,
    ),
  )
}

/** A duration for a message: `0.3 s`, `31.2 s`. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** A worker killed from outside (SIGKILL, SIGTERM) while starting counts less toward breaking. */
function startKilled(worker: WorkerRecord): boolean {
  return worker.signal === 'SIGKILL' || worker.signal === 'SIGTERM'
}

function anyReady<H>(engine: PoolEngine<H>): boolean {
  for (const worker of engine.workers) if (worker.life === 'ready') return true
  return false
}
