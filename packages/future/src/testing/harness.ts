/**
 * The conformance suite's harness: the factory type, latches and recorders (files, so they work
 * across processes), and small async helpers.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Executor } from '../index.js'

/**
 * Makes a fresh executor with at most `maxWorkers` workers; `maxQueue`, when given, is the
 * executor's `maxQueue` option (a backend passes it on to `super()`).
 *
 * @since 0.1.0
 */
export type ExecutorFactory = (options: { maxWorkers: number; maxQueue?: number }) => Executor | Promise<Executor>

/**
 * Options of `describeExecutorConformance`.
 *
 * @since 0.1.0
 */
export interface ConformanceOptions {
  /** Per-test timeout in milliseconds (a hang is a failure). @default 30000 */
  timeout?: number
  /**
   * The backend supports `currentTask().progress(value)` and `future.onProgress()`: run the
   * progress tests. @default false
   */
  progress?: boolean
  /** The backend has `stream(fn, ...args, { highWaterMark })`: run the stream tests. @default false */
  stream?: boolean
}

/**
 * A file-based latch: tasks poll for the file; `release()` creates it. Works across processes.
 *
 * @since 0.1.0
 */
export interface Latch {
  /** The file whose existence releases the tasks (pass it to `waitForLatch`). */
  readonly path: string
  /** Creates the file: every task waiting on the latch goes on. */
  release(): void
}

/**
 * A file that tasks append JSON lines to (see `recordTask`); works across processes.
 *
 * @since 0.1.0
 */
export interface Recorder {
  /** The file tasks append to (pass it to `recordTask`/`recordAndWait`). */
  readonly path: string
  /** The values recorded so far, in the order they were appended. */
  lines(): unknown[]
}

/** What every group of conformance tests gets: its executors, latches and recorders. */
export interface Suite {
  /** Per-test timeout in milliseconds. */
  readonly timeout: number
  /** A fresh executor, shut down after the test. */
  make(maxWorkers: number, options?: { maxQueue?: number }): Promise<Executor>
  latch(): Latch
  recorder(): Recorder
  /** The suite's temporary directory (it exists: a latch on it is open at once). */
  tempDir(): string
  /** Shuts down the test's executors (after each test). */
  closeExecutors(): Promise<void>
  /** Removes the temporary files (after all tests). */
  removeFiles(): void
}

/** @internal */
export function createSuite(factory: ExecutorFactory, timeout: number): Suite {
  let dir: string | undefined
  let counter = 0
  const executors: Executor[] = []
  const tempDir = (): string => (dir ??= mkdtempSync(join(tmpdir(), 'x-conformance-')))
  return {
    timeout,
    async make(maxWorkers, options) {
      const executor = await factory(options?.maxQueue === undefined ? { maxWorkers } : { maxWorkers, maxQueue: options.maxQueue })
      executors.push(executor)
      return executor
    },
    tempDir,
    latch() {
      const path = join(tempDir(), `latch-${String(++counter)}`)
      return { path, release: () => { writeFileSync(path, 'go'); } }
    },
    recorder() {
      const path = join(tempDir(), `record-${String(++counter)}`)
      return {
        path,
        lines: () =>
          existsSync(path)
            ? readFileSync(path, 'utf8')
                .split('\n')
                .filter((line) => line !== '')
                .map((line) => JSON.parse(line) as unknown)
            : [],
      }
    },
    async closeExecutors() {
      const open = executors.splice(0)
      await Promise.all(open.map((executor) => executor.shutdown({ wait: true, cancelFutures: true })))
    },
    removeFiles() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    },
  }
}


export function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve()
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(poll, 2)
    }
    poll()
  })
}

export async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterator) out.push(value)
  return out
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}
