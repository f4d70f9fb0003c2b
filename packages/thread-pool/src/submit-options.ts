/**
 * The rarely run parts of `ThreadPoolExecutor.submitWith()`: the errors its option checks throw,
 * and moving the buffers of a `transfer` list. Apart from the method, whose every call runs in
 * V8's unoptimized tiers until V8 optimizes it: code of a function that does not run still counts
 * toward the calls V8 waits for (issue 13, W2).
 *
 * @internal
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import { describeValue } from '@x/future'

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
 * are detached at once, and the pool holds the only ones until a worker gets them.
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
