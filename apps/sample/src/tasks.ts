/**
 * The functions the sample app sends to its executors. Pools (threads, processes) cannot receive
 * a closure, so each is exported from this module and reached through a handle:
 * `task(new URL('./tasks.js', import.meta.url), 'name')`; a worker imports this file itself.
 * The same handles work on `AsyncPoolExecutor`, which imports the module on this thread.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { threadId } from 'node:worker_threads'
import { currentTask, task } from '@x/concurrent'

/** Python's `pow(base, exponent)` for integers: exact, with `BigInt`. */
export function pow(base: bigint, exponent: bigint): bigint {
  return base ** exponent
}

/** Python's `is_prime` from the `ProcessPoolExecutor` example, line for line. */
export function isPrime(n: number): boolean {
  if (!Number.isSafeInteger(n)) throw new RangeError(`isPrime() needs a safe integer, got ${String(n)}`)
  if (n < 2) return false
  if (n === 2) return true
  if (n % 2 === 0) return false
  const sqrtN = Math.floor(Math.sqrt(n))
  for (let i = 3; i <= sqrtN; i += 2) {
    if (n % i === 0) return false
  }
  return true
}

/** `x * x`, and which process computed it (shows how `map` chunks travel). */
export function squareWithPid(x: number): { square: number; pid: number } {
  return { square: x * x, pid: process.pid }
}

/**
 * The SHA-256 of a file as lowercase hex, streamed in 1 MiB reads, reporting the bytes hashed
 * so far as progress. Stops early when the task is cancelled (`currentTask().signal`, e.g. on
 * Ctrl-C). `hash` uses it on executors without `stream()`.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  const context = currentTask()
  const signal = context?.signal
  const stream = createReadStream(path, signal === undefined ? { highWaterMark: 1 << 20 } : { highWaterMark: 1 << 20, signal })
  let bytes = 0
  for await (const chunk of stream) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
    context?.progress?.(bytes) // the bytes of this file hashed so far (coalesced, cheap per chunk)
  }
  return hash.digest('hex')
}

/** One file's outcome in {@link sha256Files}: its digest, or why it could not be read. */
export type FileDigest = { readonly hex: string } | { readonly error: { readonly code: string | undefined; readonly message: string } }

/**
 * The SHA-256 of each file of `paths`, in order, as a generator for `executor.stream()`: it
 * yields one {@link FileDigest} per file (an unreadable file does not end the stream), and
 * reports the bytes it has hashed so far with `currentTask().progress()`, chunk by chunk, so a
 * progress bar moves inside a large file (the reports are coalesced: cheap to make per chunk).
 * Stops when the task is aborted (the consumer's `break`, or Ctrl-C).
 */
export async function* sha256Files(paths: readonly string[]): AsyncGenerator<FileDigest> {
  const context = currentTask()
  const signal = context?.signal
  let bytes = 0
  for (const path of paths) {
    const hash = createHash('sha256')
    try {
      const stream = createReadStream(path, signal === undefined ? { highWaterMark: 1 << 20 } : { highWaterMark: 1 << 20, signal })
      for await (const chunk of stream) {
        hash.update(chunk as Buffer)
        bytes += (chunk as Buffer).length
        context?.progress?.(bytes)
      }
    } catch (error) {
      if (signal?.aborted === true) throw error
      const code = (error as { code?: unknown } | null)?.code
      yield { error: { code: typeof code === 'string' ? code : undefined, message: error instanceof Error ? error.message : String(error) } }
      continue
    }
    yield { hex: hash.digest('hex') }
  }
}

const powTask = task<typeof pow>(new URL(import.meta.url), 'pow')
const squareTask = task<typeof squareWithPid>(new URL(import.meta.url), 'squareWithPid')

/**
 * Python warns that calling Executor or Future methods from a task of a ProcessPoolExecutor
 * deadlocks. Here a task in a child process maps `squareWithPid` over 1..n through its own pool
 * (`currentTask().executor`) and adds the squares up. Returns the sum and the pids involved.
 */
export async function sumOfSquares(n: number): Promise<{ sum: number; pid: number; helpers: number[] }> {
  const context = currentTask()
  if (context === undefined) throw new Error('sumOfSquares() must run as a task: submit it to an executor')
  let sum = 0
  const helpers = new Set<number>()
  const inputs = Array.from({ length: n }, (_, i) => i + 1)
  for await (const { square, pid } of context.executor.map(squareTask, inputs)) {
    sum += square
    helpers.add(pid)
  }
  return { sum, pid: process.pid, helpers: [...helpers] }
}

/**
 * Python's second deadlock example: a task that submits `pow(5, 2)` to its own executor and
 * waits for it. With `maxWorkers: 1` the subtask can never start: the only worker is busy
 * waiting for it.
 */
export async function waitOnFuture(): Promise<bigint> {
  const context = currentTask()
  if (context === undefined) throw new Error('waitOnFuture() must run as a task: submit it to an executor')
  const f = context.executor.submitWith({ name: 'pow(5, 2)' }, powTask, 5n, 2n)
  return await f.result() // (result() rather than await f: the report then shows this line)
}

/**
 * The seed's waiting example rewritten: instead of submitting `pow(5, 2)` and waiting for it
 * inside a task, the caller passes the future as an argument, and the task receives its value.
 */
export function report(square: bigint): string {
  return `pow(5, 2) = ${String(square)}, received as an argument in thread ${String(threadId)}`
}
