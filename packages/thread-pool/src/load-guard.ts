/**
 * The load guard: a pool thread is never terminated while it is inside a `require()` of a module.
 * Node 20.20 aborts the whole process (`FATAL ERROR: v8::Module::IsGraphAsync must be used on an
 * instantiated module`, from `ModuleWrap::InstantiateSync`) when a thread is terminated while a
 * `require()` of an ES module instantiates it; a thread loads `@x/future/runtime` and its task
 * modules with `require()` (thread-entry.cts, `@x/pool-kit`'s require-first.ts), which skips
 * Node's asynchronous ES module loader (issue 13, W5: ~12M instructions of a thread's start).
 *
 * Each thread shares one word with the pool ({@link newLoadGuard}, in its `workerData`):
 * - the thread moves it FREE -> LOADING just before a `require()` and back just after; when it
 *   finds ENDED it does not start one (`ERR_THREAD_ENDING`: the task loads with `import()`, which
 *   is safe to terminate), and when it finds ENDING after its `require()` it stores ENDED and
 *   wakes the pool;
 * - the pool, to end the thread ({@link afterLoads}), moves it FREE -> ENDED and terminates at
 *   once, or LOADING -> ENDING and terminates when the thread says its `require()` is over;
 * - at the process's exit ({@link settleLoadsAtExit}) Node terminates every thread itself: the
 *   pool's `'exit'` listener first ends every guard the same way, waiting synchronously.
 *
 * Both sides change the word only with compare-and-swap, so a thread is terminated either before
 * it could start a `require()` (it never will) or after one ended. A `require()` still under way
 * after {@link LOAD_WAIT_MS} (a module whose top-level code does not return) is terminated all the
 * same: by then it runs the module's own code (evaluation), where Node handles a termination.
 * Pools in a worker thread get no guard: a thread terminated with its parent is terminated by
 * Node, not by the pool, so their threads load with `import()` only.
 *
 * @internal
 * @module
 */
import { isMainThread } from 'node:worker_threads'

/** The guard's states (thread-entry.cts has the same numbers). */
export const FREE = 0
export const LOADING = 1
export const ENDING = 2
export const ENDED = 3

/** `Atomics.waitAsync` (Node >= 16; not in TypeScript's ES2023 library). */
const atomics = Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> }
}

/** How long ending a thread waits for a `require()` under way (ms). */
export const LOAD_WAIT_MS = 2000

/** A new thread's guard word; none for a pool that is not on the main thread (see the notes). */
export function newLoadGuard(): Int32Array | undefined {
  return isMainThread ? new Int32Array(new SharedArrayBuffer(4)) : undefined
}

/**
 * Marks `guard` ENDED (no `require()` starts any more) and calls `terminate`: at once when no
 * `require()` is under way, else once it is over (at most {@link LOAD_WAIT_MS} later).
 */
export function afterLoads(guard: Int32Array | undefined, terminate: () => void): void {
  if (guard === undefined) {
    terminate()
    return
  }
  for (;;) {
    const state = Atomics.compareExchange(guard, 0, FREE, ENDED)
    if (state === FREE || state === ENDED) break
    // LOADING: ask the thread to say when it is done (it may be done meanwhile: try again)
    if (state === LOADING && Atomics.compareExchange(guard, 0, LOADING, ENDING) !== LOADING) continue
    const wait = atomics.waitAsync(guard, 0, ENDING, LOAD_WAIT_MS)
    if (wait.async) {
      void wait.value.then(() => {
        terminate()
      })
      return
    }
    break // 'not-equal': the thread stored ENDED just now
  }
  terminate()
}

/**
 * Ends every guard in `guards` as {@link afterLoads} does, waiting synchronously (at most
 * {@link LOAD_WAIT_MS} in all) for the `require()` calls under way: at the process's exit, before
 * Node terminates the threads.
 */
export function settleLoadsAtExit(guards: Iterable<Int32Array>): void {
  const deadline = Date.now() + LOAD_WAIT_MS
  for (const guard of guards) {
    for (;;) {
      const state = Atomics.compareExchange(guard, 0, FREE, ENDED)
      if (state === FREE || state === ENDED) break
      if (state === LOADING && Atomics.compareExchange(guard, 0, LOADING, ENDING) !== LOADING) continue
      Atomics.wait(guard, 0, ENDING, Math.max(0, deadline - Date.now()))
      break
    }
  }
}
