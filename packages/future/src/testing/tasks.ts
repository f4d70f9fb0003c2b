/**
 * The conformance suite's tasks: self-contained functions (they travel to workers as source text),
 * so the same tests run on in-thread executors, thread pools and process pools.
 *
 * @module
 */
import type { currentTask } from '../index.js'

// ---- self-contained task functions (they travel to workers as source text) -------------------

/**
 * Waits until the latch file exists, then returns `value`.
 *
 * @since 0.1.0
 */
export const waitForLatch = async (file: string, value?: unknown): Promise<unknown> => {
  const fs = process.getBuiltinModule('node:fs')
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 2))
  return value
}

/**
 * Appends `value` as a JSON line to `file` and returns it.
 *
 * @since 0.1.0
 */
export const recordTask = (file: string, value: unknown): unknown => {
  process.getBuiltinModule('node:fs').appendFileSync(file, `${JSON.stringify(value)}\n`)
  return value
}

/**
 * Records `start`, waits for the latch, records `stop`.
 *
 * @since 0.1.0
 */
export const recordAndWait = async (record: string, latch: string, id: string): Promise<string> => {
  const fs = process.getBuiltinModule('node:fs')
  fs.appendFileSync(record, `${JSON.stringify(`${id} started`)}\n`)
  while (!fs.existsSync(latch)) await new Promise((resolve) => setTimeout(resolve, 2))
  fs.appendFileSync(record, `${JSON.stringify(`${id} stopped`)}\n`)
  return id
}

export const pow = (a: number, b: number): number => a ** b
export const add = (a: number, b: number): number => a + b
export const identity = (value: unknown): unknown => value
export const divide = (a: number, b: number): number => {
  if (b === 0) throw new RangeError('division by zero')
  return Math.trunc(a / b)
}
export const throwValue = (kind: string): never => {
  const values: Record<string, unknown> = { zero: 0, empty: '', null: null, undefined: undefined }
   
  throw values[kind]
}
export const throwRich = (): never => {
  const error = new TypeError('bad input', { cause: new RangeError('inner cause') }) as TypeError & {
    code: string
    detail: { n: number }
  }
  error.code = 'E_BAD'
  error.detail = { n: 7 }
  throw error
}
export const sleepThen = async (ms: number, value: unknown): Promise<unknown> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return value
}
export const describeContext = (): { id: number; name: string | undefined; hasExecutor: boolean } => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  return { id: task.id, name: task.name, hasExecutor: typeof task.executor.submit === 'function' }
}
export const nestedSum = async (n: number): Promise<number> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  const child = task.executor.submit((x: number) => x * 10, n)
  return (await child) + 1
}
export const nestedDependency = async (n: number): Promise<number> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  const tens = task.executor.submit((x: number) => x * 10, n)
  // a future as an argument of a nested submit: waited for where the task runs
  const plusOne = task.executor.submit((x: number, y: number) => x + y, tens, 1)
  return await plusOne
}
export const waitForAbort = async (latch: string): Promise<string> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  process.getBuiltinModule('node:fs').writeFileSync(latch, 'started')
  const signal = task.signal
  if (!signal.aborted) await new Promise((resolve) => { signal.addEventListener('abort', resolve, { once: true }); })
  return `aborted: ${String(signal.reason)}`
}

// ---- progress and streams ----------------------------------------------------------------------

/** Reports progress 1..n in a tight loop, waits for the latch, reports `{ phase: 'last' }`. */
export const reportInLoop = async (n: number, latch: string): Promise<string> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task?.progress === undefined) throw new Error('currentTask().progress is missing inside a task')
  for (let i = 1; i <= n; i++) task.progress(i)
  const fs = process.getBuiltinModule('node:fs')
  while (!fs.existsSync(latch)) await new Promise((resolve) => setTimeout(resolve, 2))
  task.progress({ phase: 'last', at: new Date(0) })
  return 'done'
}

/** Returns at once, and reports progress `ms` later, after the task ended. */
export const reportAfterEnd = (ms: number): string => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  setTimeout(() => task?.progress?.('late'), ms)
  return 'ended'
}

/** Yields 0..n-1, waiting `ms` before each when `ms` > 0. */
export const countTo = async function* (n: number, ms: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
    yield i
  }
}

/** A sync generator of the words of `text`. */
export const wordsOf = function* (text: string): Generator<string> {
  for (const word of text.split(' ')) yield word
}

/** Yields 0..n-1, recording each value in `record` just before it yields it. */
export const recordEachYield = function* (record: string, n: number): Generator<number> {
  const fs = process.getBuiltinModule('node:fs')
  for (let i = 0; i < n; i++) {
    fs.appendFileSync(record, `${JSON.stringify(i)}\n`)
    yield i
  }
}

/** Counts forever; records "aborted" when its signal aborts and "closed" when it is closed. */
export const countUntilClosed = async function* (record: string): AsyncGenerator<number> {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  const fs = process.getBuiltinModule('node:fs')
  task?.signal.addEventListener('abort', () => {
    fs.appendFileSync(record, '"aborted"\n')
  })
  try {
    for (let i = 0; ; i++) {
      yield i
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  } finally {
    fs.appendFileSync(record, '"closed"\n')
  }
}

/** Yields 0..n-1, then throws a RangeError with a code and a property. */
export const yieldThenThrow = function* (n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i
  throw Object.assign(new RangeError(`row ${String(n)} is bad`), { code: 'E_ROW', row: n })
}

/** Not a generator function: returns a number. */
export const notAGenerator = (): number => 42

/** Yields 0..n-1 and reports `{ done: i + 1, of: n }` after each. */
export const countWithProgress = async function* (n: number): AsyncGenerator<number> {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  for (let i = 0; i < n; i++) {
    yield i
    await new Promise((resolve) => setTimeout(resolve, 1))
    task?.progress?.({ done: i + 1, of: n })
  }
}
