/**
 * The rarely run parts of `ThreadPoolExecutor.submitWith()`: the errors its option checks throw,
 * and a call with a `transfer` list. Apart from the method, whose every call runs in
 * V8's unoptimized tiers until V8 optimizes it: code of a function that does not run still counts
 * toward the calls V8 waits for (issue 13, W2).
 *
 * @internal
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import { describeValue } from '@x/future'
import type { CallableSpec, Future } from '@x/future'
import type { PoolEngine, StreamSink } from '@x/pool-kit'

/** What `submitWith()` refuses: the options, an unknown key, or one option's value. */
export type SubmitOptionFault = 'options' | 'key' | 'name' | 'signal' | 'transfer'

/** The TypeError `submitWith()` throws for `value`, refused as `fault`. */
export function submitOptionError(fault: SubmitOptionFault, value: unknown): TypeError {
  switch (fault) {
    case 'options':
      return new TypeError(`submitWith(): options must be an object like { name, signal, transfer }, got ${describeValue(value)}`)
    case 'key':
      return new TypeError(`submitWith(): unknown option "${String(value)}"; the options are "name", "signal", "transfer"`)
    case 'name':
      return new TypeError(`submitWith(): name must be a string, got ${describeValue(value)}`)
    case 'signal':
      return new TypeError(`submitWith(): signal must be an AbortSignal, got ${describeValue(value)}`)
    case 'transfer':
      return new TypeError(`submitWith(): transfer must be an array of transferable objects, got ${describeValue(value)}`)
  }
}

/**
 * Moves `transfer`'s buffers with the arguments now, as `postMessage` would: the caller's copies
 * are detached at once, and the pool holds the only ones until a worker gets them. The engine
 * calls it for a call that waits in its queue (`PoolEngine.submit`'s `move`); a call that goes to
 * an idle thread at once moves with its message instead, with no copy of the arguments here.
 * @throws TypeError when `transfer` lists something that cannot be transferred.
 */
export function moveTransfer(args: unknown[], transfer: readonly Transferable[]): [args: unknown[], transfer: readonly Transferable[]] {
  try {
    // (a pair, not an object: the clone of an array of two costs less than an object's two keys)
    return structuredClone([args, transfer], { transfer: transfer as never })
  } catch (error) {
    throw new TypeError(
      `submitWith(): cannot transfer ${describeValue(transfer)}: ${error instanceof Error ? error.message : String(error)}. ` +
        'List only transferable objects (ArrayBuffer, MessagePort, ...) that are not detached, each once.',
      { cause: error },
    )
  }
}

/**
 * Whether `transfer` may move with the call's own message (`postMessage` detaching the buffers),
 * with no {@link moveTransfer} first: only non-empty `ArrayBuffer`s. A detached buffer (length 0)
 * goes through `postMessage` without an error and fails only in the thread, which could not
 * tell which call it was; anything else (ports, empty buffers) takes the path that reports it.
 */
export function movesWithMessage(transfer: readonly Transferable[]): boolean {
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: submitWith()'s path
  for (let i = 0; i < transfer.length; i++) {
    const item = transfer[i]
    if (!(item instanceof ArrayBuffer) || item.byteLength === 0) return false
  }
  return true
}

/**
 * `submitWith()`'s call with a non-empty `transfer` list, to `engine`: the caller's buffers are
 * detached when it returns. Non-empty `ArrayBuffer`s move with the call's own message when the
 * engine sends it to an idle thread at once, else by {@link moveTransfer} before it is queued;
 * any other list is moved by {@link moveTransfer} first (and a bad one reported by it).
 * @throws TypeError when `transfer` lists something that cannot be transferred (and what the
 *   engine's `submit()` throws).
 */
export function submitMoving<H>(
  engine: PoolEngine<H>,
  spec: CallableSpec,
  args: unknown[],
  name: string | undefined,
  signal: AbortSignal | undefined,
  callerTaskId: number | undefined,
  stream: StreamSink | undefined,
  transfer: readonly Transferable[],
): Future {
  if (movesWithMessage(transfer)) return engine.submit(spec, args, false, name, signal, callerTaskId, stream, transfer, moveTransfer)
  const [movedArgs, movedTransfer] = moveTransfer(args, transfer)
  return engine.submit(spec, movedArgs, false, name, signal, callerTaskId, stream, movedTransfer)
}
