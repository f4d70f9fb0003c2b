/**
 * Short forms, on a thread's port, of the two messages a round trip of one call is made of: a
 * `run` of one call and the `results` of one. Copying a message costs per key and per array in
 * it, and the protocol's named columns (`@x/pool-kit`'s `ToWorker`/`FromWorker`) are six arrays
 * for one call: as a flat array, posting and receiving the `run` costs ~2 µs instead of ~8 µs
 * here, the `results` ~2 µs instead of ~4.5 µs; both are on the path of every sequential round
 * trip (issue 13, W2). Everything else goes as it is. Both ends of the port are ours (a private
 * `MessageChannel`), so an array on it is always one of these.
 *
 * @internal
 * @module
 */
import { isPoolMessage } from '@x/pool-kit'
import type { FromWorker, ToWorker, WorkerEvents } from '@x/pool-kit'
import type { WorkerRuntime } from '@x/pool-kit/worker'

/** `[RUN_ONE, id, specId, name, slot, ticket, ...args]`: a `run` of one plain call, callable already sent. */
const RUN_ONE = 0
/** The same, while someone listens to wait events (`diag`). */
const RUN_ONE_DIAG = 1
/** `[RESULT_ONE, id, value, meanMs]`: the `results` of one call that returned. */
const RESULT_ONE = 2
/**
 * Added to a short `run`'s tag when its call's arguments are large (the `run` message's `large`):
 * the thread does not wait for its next call after it ({@link isLargeCall}).
 */
const LARGE = 4
/** Where a short `run`'s arguments start. */
const ARGS_AT = 6

/** What goes on the port for `message` (pool side). */
export function shortToWorker(message: ToWorker): unknown {
  if (message.type !== 'run') return message
  const { ids, specIds, args, names, slots, tickets, specs, chunks, streams } = message.batch
  if (ids.length !== 1 || specs !== undefined || chunks !== undefined || streams !== undefined || slots === undefined || tickets === undefined) return message
  return shortCall(ids[0] ?? 0, specIds[0] ?? 0, names[0], slots[0] ?? -1, tickets[0] ?? 0, args[0] ?? [], message.diag === true, message.large === true)
}

/**
 * What goes on the port for a `run` of one plain call whose callable the thread has (pool side;
 * `large`: its arguments are large, the `run` message's `large`).
 */
export function shortCall(id: number, specId: number, name: string | undefined, slot: number, ticket: number, args: unknown[], diag: boolean, large = false): unknown[] {
  const tag = (diag ? RUN_ONE_DIAG : RUN_ONE) + (large ? LARGE : 0)
  // (one argument, the common case, without spreading: an array literal's spread runs the
  // iterator protocol in V8's unoptimized tiers, where the first thousands of calls run)
  if (args.length === 1) return [tag, id, specId, name, slot, ticket, args[0]]
  const message: unknown[] = [tag, id, specId, name, slot, ticket]
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed, as above
  for (let i = 0; i < args.length; i++) message.push(args[i])
  return message
}

/**
 * Hands a message the thread received to its runtime: the short `run` of one call as
 * `runtime.receiveCall` (no batch to make again), any other pool message as it is.
 */
export function deliverToWorker(message: unknown, runtime: Pick<WorkerRuntime, 'receive' | 'receiveCall'>): void {
  if (!Array.isArray(message)) {
    if (isPoolMessage(message)) runtime.receive(message as ToWorker)
    return
  }
  const tag = (message[0] as number) & ~LARGE
  if (tag !== RUN_ONE && tag !== RUN_ONE_DIAG) return
  runtime.receiveCall(
    message[1] as number,
    message[2] as number,
    message[3] as string | undefined,
    message[4] as number,
    message[5] as number,
    message.slice(ARGS_AT),
    tag === RUN_ONE_DIAG,
  )
}

/** Whether `message` (thread side, as received) is the short `run` of one call: what a caller that awaits each result sends. */
export function isShortCall(message: unknown): boolean {
  return Array.isArray(message)
}

/** Whether `message` (thread side, as received) is the short `run` of one call with large arguments (the `run` message's `large`). */
export function isLargeCall(message: unknown): boolean {
  return Array.isArray(message) && ((message[0] as number) & LARGE) !== 0
}

/** What goes on the port for the result of one call that returned (thread side). */
export function shortResult(id: number, value: unknown, meanMs: number): unknown[] {
  return [RESULT_ONE, id, value, meanMs]
}

/** What goes on the port for `message` (thread side). */
export function shortFromWorker(message: FromWorker): unknown {
  if (message.type !== 'results' || message.ids.length !== 1 || message.failed !== undefined) return message
  return shortResult(message.ids[0] ?? 0, message.values[0], message.meanMs)
}

/**
 * Hands a message the pool received to the engine: the short `results` of one call as
 * `events.result` (no message to make again), any other pool message as it is to
 * `events.message`, an array it does not know to neither.
 */
export function deliverFromWorker(message: unknown, events: Pick<WorkerEvents, 'message' | 'result'>): void {
  // (the short result first, and in few bytes of bytecode: V8 optimizes a function under 81 bytes
  // at its first tick of calls, a larger one at its third, after ~2,500 round trips here)
  if (!Array.isArray(message)) deliverOther(message, events)
  else if (message[0] === RESULT_ONE) events.result(message[1] as number, message[2], message[3] as number)
}

function deliverOther(message: unknown, events: Pick<WorkerEvents, 'message'>): void {
  if (isPoolMessage(message)) events.message(message as FromWorker)
}
