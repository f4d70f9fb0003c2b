/**
 * Sending work: queued items go to ready workers with room, least-loaded first, in one `run`
 * message per worker; workers are started while work is left over. A worker gets more than one
 * task ahead only for callables measured to be short ({@link SendWindow}), so a long task never
 * holds back work another worker could run; a call with large arguments goes only to a worker
 * holding little data, and in a message of its own.
 *
 * @module
 */
import { channels } from '@x/future'
import { argumentBytes, LARGE_ARGS } from '../send-window.js'
import { detach } from './abort.js'
import { announce } from './announce.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import { addMoved, addSpec, addToBatch, ensureSpecs, newSend, outboxOf } from './run-batch.js'
import type { Outbox, Send } from './run-batch.js'
import { sendRun } from './send-run.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/** A dispatcher run is under way (an event it publishes may submit): a nested run waits its turn. */
let pumping = false

/**
 * A lone call submitted while a worker is idle (claims policy): sent now, in a message of its own,
 * as the dispatcher would send it, without its search (the round trip of issue 13's W2, where
 * each step on the way is paid on every call, and in V8's slow tiers for the first thousands).
 * `false` when it is not that case: nothing was done, the dispatcher decides.
 *
 * `unmoved`: the call's buffers are still the caller's (`submit()`'s `move`). It then goes only in
 * the short form, whose message moves them; when that cannot be (the worker lacks the callable,
 * or the message throws: a transfer list that cannot move), `false`, and nothing was done: the
 * engine moves the buffers (and reports a bad list) before it queues the call.
 */
export function sendAlone<H>(engine: PoolEngine<H>, item: EngineItem, unmoved = false): boolean {
  if (engine.broken !== undefined || pumping || item.stream !== undefined || item.chunk || item.future.done()) return false
  const target = idleWorker(engine)
  if (target === undefined) return false
  // (a worker done with its maxTasksPerWorker tasks: the dispatcher starts the next one)
  const maxTasks = engine.options.maxTasksPerWorker
  if (maxTasks !== undefined && target.assigned >= maxTasks) return false
  const transport = engine.transport
  const short = transport.sendCall !== undefined && target.sentSpecs.has(item.specId)
  if (unmoved && !short) return false
  if (engine.claims.send(item) !== 'sent') return false
  const diag = channels.waitStart.hasSubscribers
  // (as the dispatcher tells its large calls: the worker does not wait for a next call after it)
  const large = bytesOf(item) >= LARGE_ARGS
  let sent = false
  if (short) {
    try {
      transport.sendCall?.(target.handle as H, item.future.id, item.specId, item.future.name, item.slot, item.ticket, item.args, diag, item.transfer, large)
      sent = true
    } catch {
      // an argument cannot be copied (nothing moved then): sendRun finds which, and fails the call
      // with it; a call whose buffers are still the caller's goes back to the engine, which moves
      // them or says why they cannot move
      if (unmoved) {
        engine.claims.release(item)
        return false
      }
    }
  }
  // (after the message, in the same turn: the worker can start on the call meanwhile)
  handOver(engine, item, target, engine.window.for(item.specId))
  wakeForWork(engine, target)
  if (sent) return true
  const batch = newSend(engine, item, false).batch
  if (!target.sentSpecs.has(item.specId)) {
    target.sentSpecs.add(item.specId)
    addSpec(batch, item)
  }
  sendRun(engine, target, batch, [item], item.transfer, diag, large)
  return true
}

/** A worker that is ready and holds nothing (nor waits on nested work), if there is one. */
export function idleWorker<H>(engine: PoolEngine<H>): WorkerRecord | undefined {
  for (const worker of engine.workers) if (worker.life === 'ready' && worker.held.size === 0 && worker.blockedBy === undefined) return worker
  return undefined
}

/** Sends what the workers can take, and starts workers for the rest. */
export function pump<H>(engine: PoolEngine<H>): void {
  if (engine.broken !== undefined) return
  if (pumping) {
    engine.schedule()
    return
  }
  pumping = true
  try {
    dispatch(engine)
  } finally {
    pumping = false
  }
}

function dispatch<H>(engine: PoolEngine<H>): void {
  const ready: WorkerRecord[] = []
  // (a starting worker whose transport takes messages gets the task it will run first: see room)
  for (const worker of engine.workers) {
    if ((worker.life === 'ready' || (worker.life === 'starting' && worker.open)) && worker.blockedBy === undefined) ready.push(worker)
  }
  const maxTasks = engine.options.maxTasksPerWorker
  // Below its maximum, the pool sends nothing ahead to a busy worker: a queued task gets a worker
  // of its own (started below), as a Python pool's would. Sent ahead, it would wait behind a call
  // that may block, even on the very task it belongs with (f1 waits for f2, queued behind f1),
  // while the pool had room for the worker that would have run it. Once every worker is there
  // (or starts are failing and backing off), tasks go ahead as the send window allows.
  const canGrow = engine.workers.size < engine.options.maxWorkers + engine.lent && engine.backoff.delayMs === 0
  // per worker, its messages in order: a large call travels alone (a short list: one entry per worker)
  let sends: Outbox[] | undefined
  while (engine.queued > 0 && ready.length > 0) {
    const item = engine.queue.peek()
    if (item === undefined) break
    if (item.state !== 'queued') {
      engine.queue.shift()
      continue
    }
    const window = engine.window.for(item.specId)
    const bytes = bytesOf(item)
    const large = bytes >= LARGE_ARGS
    let target: WorkerRecord | undefined
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: the dispatcher's path (run-batch.ts)
    for (let w = 0; w < ready.length; w++) {
      const worker = ready[w]
      if (worker === undefined) break
      // A worker still starting gets one task, which travels while it starts (what else is queued
      // waits for whichever worker is free first), and never buffers the task moves: they would
      // be lost with a worker that fails to start.
      const starting = worker.life === 'starting'
      if (starting && item.transfer !== undefined) continue
      // Nothing goes ahead of a task that may be long (cap), nor more than this callable allows.
      // (only when the cap could change what follows: a worker holding at most half its cap passes
      // both checks below with the cap it has, and one read again is never smaller)
      if (worker.cap < window && worker.held.size > worker.cap >> 1) refreshCap(engine, worker)
      const room = starting || canGrow ? 1 : Math.min(window, worker.cap)
      if (worker.held.size >= room) continue
      // A worker that still holds more than half its room waits: it gets its next tasks in one
      // message once it is down to half (not one message per result it sends back).
      if (worker.held.size > room >> 1 && outboxOf(sends, worker) === undefined) continue
      // nor more data than the byte budget (one call always may go)
      if (large && worker.held.size > 0 && worker.heldBytes + bytes > engine.window.maxBytes) continue
      if (maxTasks !== undefined && worker.assigned >= maxTasks) continue
      if (target === undefined || worker.held.size < target.held.size) target = worker
    }
    if (target === undefined) break
    // the claim policy: RUNNING now (sentMeansStarted), or a claim word (claims; none free: later)
    const outcome = engine.claims.send(item)
    if (outcome === 'full') break
    engine.queue.shift()
    engine.queued--
    if (outcome === 'cancelled') {
      item.state = 'done'
      detach(item)
      continue
    }
    // A worker runs its tasks one at a time, in the order sent: the first one starts now, the
    // ones sent ahead are announced (future:start) when they reach the head (announceHead).
    // (Under the claims policy, work is announced once its claim word says it started.)
    const startsNow = target.held.size === 0 && engine.claims.sentMeansStarted
    handOver(engine, item, target, window)
    if (startsNow) announce(engine, item, target)
    let outbox = outboxOf(sends, target)
    const last = outbox === undefined ? undefined : outbox.messages[outbox.messages.length - 1]
    let send: Send
    if (last === undefined || large || last.large) {
      send = newSend(engine, item, large)
      if (outbox === undefined) {
        outbox = { worker: target, messages: [send] }
        if (sends === undefined) sends = [outbox]
        else sends.push(outbox)
      } else outbox.messages.push(send)
    } else {
      send = last
      addToBatch(send.batch, item)
      send.items.push(item)
      if (item.transfer !== undefined) addMoved((send.transfer ??= []), item.transfer)
    }
    if (!target.sentSpecs.has(item.specId)) {
      target.sentSpecs.add(item.specId)
      addSpec(send.batch, item)
    }
  }
  if (sends !== undefined) {
    const diag = channels.waitStart.hasSubscribers
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: the dispatcher's path (run-batch.ts)
    for (let o = 0; o < sends.length; o++) {
      const outbox = sends[o]
      if (outbox === undefined) break
      const { worker, messages } = outbox
      wakeForWork(engine, worker)
      // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: the dispatcher's path (run-batch.ts)
      for (let m = 0; m < messages.length; m++) {
        const send = messages[m]
        if (send === undefined) break
        ensureSpecs(worker, send)
        sendRun(engine, worker, send.batch, send.items, send.transfer, diag, send.large)
      }
    }
  }
  // Start workers for what is left: one per queued task, up to the limit; after failed starts,
  // all of them together once the backoff delay has passed.
  if (engine.retryTimer !== undefined) return
  const delay = engine.backoff.delayMs
  if (delay > 0 && engine.starting === 0 && needsWorkers(engine)) {
    engine.retryTimer = setTimeout(() => {
      engine.retryTimer = undefined
      startWorkers(engine)
    }, delay)
    return
  }
  if (delay === 0) startWorkers(engine)
}

/** The item leaves the queue for `target` (`window`: its callable's send window). */
function handOver<H>(engine: PoolEngine<H>, item: EngineItem, target: WorkerRecord, window: number): void {
  item.state = 'sent'
  item.worker = target
  item.announced = false
  if (window < target.cap) target.cap = window
  target.held.set(item.future.id, item)
  // (buffers a call moves are not copied, and once sent the pool holds none of them: bytesOf
  // leaves them out, and the byte budget bounds the copies in flight)
  item.heldShare = bytesOf(item)
  target.heldBytes += item.heldShare
  target.assigned++
  engine.inflight++
}

/** The worker gets work: no longer idle (its idle timer stops), it keeps the process alive. */
function wakeForWork<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  if (worker.idleTimer !== undefined) {
    clearTimeout(worker.idleTimer)
    worker.idleTimer = undefined
  }
  if (!worker.referenced) {
    worker.referenced = true
    engine.transport.ref(worker.handle as H, true)
  }
}

/**
 * A worker's cap is the smallest window among the tasks it holds; the windows grow as results
 * come, so a worker that never runs dry would keep the cap of its first tasks: read it again.
 */
function refreshCap<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  let cap = Infinity
  for (const item of worker.held.values()) cap = Math.min(cap, engine.window.for(item.specId))
  worker.cap = cap
}

/**
 * The estimated bytes of `item`'s arguments to copy, estimated once (its arguments do not change
 * until it is done): buffers it moves count for nothing, so a call that moves its large buffers is
 * not "large", and goes batched with others as a small one does (a message per call would cost
 * each its own wake-up of the worker, and its own result message, for no copy to overlap). (A
 * transport that copies moved buffers instead would want them counted; the process pool, whose
 * transport would, does not pass `transfer` to the engine.)
 */
function bytesOf(item: EngineItem): number {
  return item.bytes >= 0 ? item.bytes : (item.bytes = argumentBytes(item.args, item.transfer))
}

function needsWorkers<H>(engine: PoolEngine<H>): boolean {
  return engine.queued > engine.starting && engine.workers.size < engine.options.maxWorkers + engine.lent && engine.broken === undefined
}

function startWorkers<H>(engine: PoolEngine<H>): void {
  while (needsWorkers(engine)) engine.spawn()
}

/** The consumer of a stream task took `count` values: its worker may yield that many more. */
export function sendCredit<H>(engine: PoolEngine<H>, item: EngineItem, count: number): void {
  const worker = item.worker
  if ((item.state !== 'sent' && item.state !== 'running') || worker === undefined || worker.life === 'gone') return
  try {
    engine.transport.send(worker.handle as H, { type: 'credit', id: item.future.id, count })
  } catch {
    // the worker is on its way out: its exit fails the stream
  }
}
