/**
 * The options of {@link ProcessPoolExecutor}, and their checks: every refusal names the option
 * and what it takes.
 *
 * @module
 */
import { checkArguments, describeCallable } from '@x/future'
import type { Callable, CallableSpec } from '@x/future'
import { inheritedExecArgv } from '@x/pool-kit'

const MAX_TIMER = 2 ** 31 - 1

/**
 * Options of {@link ProcessPoolExecutor}.
 *
 * @since 0.1.0
 */
export interface ProcessPoolExecutorOptions {
  /**
   * How many child processes run tasks at once. @default `os.availableParallelism()`
   */
  maxWorkers?: number | undefined
  /**
   * Runs once in each child before its first task (a `task(url, name)` handle or a
   * self-contained function). If it throws, the pool is broken: queued futures fail with
   * {@link BrokenProcessPoolError} and later `submit()` throws it.
   */
  initializer?: Callable | undefined
  /** The initializer's arguments. @default [] */
  initargs?: readonly unknown[] | undefined
  /**
   * Replace a child with a fresh process after it has run this many tasks (Python's
   * `max_tasks_per_child`; the same as `maxTasksPerWorker`: give one of them). @default unlimited
   */
  maxTasksPerChild?: number | undefined
  /**
   * Replace a child with a fresh process after it has run this many tasks (the name both pools
   * share; `maxTasksPerChild` is its alias here). An integer >= 1. @default unlimited
   */
  maxTasksPerWorker?: number | undefined
  /**
   * Children started at construction and kept while idle, whatever `idleTimeout` says, so the
   * first tasks do not wait for a process to boot. They never keep the parent alive by
   * themselves. An integer from 0 to `maxWorkers`. @default 0
   */
  minWorkers?: number | undefined
  /**
   * End a child that has had nothing to do for this many milliseconds (a new one starts when
   * work comes). @default children live until `shutdown()`
   */
  idleTimeout?: number | undefined
  /**
   * Node options for the children, e.g. `['--max-old-space-size=256']`. Like Node's `fork()`,
   * children get the parent's options by default, so loaders (`tsx`, `--import` hooks) reach
   * them; options that would stop a child from running its entry (`--eval`, `--print`, `--test`,
   * `--input-type`, `--watch`, `--inspect`, ...) are left out. @default the parent's `process.execArgv`, filtered
   */
  execArgv?: readonly string[] | undefined
  /**
   * Extra environment variables for the children, on top of the parent's `process.env` (which
   * they inherit). A value of `undefined` removes a variable.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * Milliseconds a running task gets to stop after its `submitWith({ signal })` signal aborts,
   * before the pool ends its child process and rejects its future with the abort reason (the
   * tasks sent ahead to that child go to another one). @default 1000
   */
  abortGracePeriod?: number | undefined
  /** A label for diagnostics. @default `ProcessPoolExecutor #<id>` */
  name?: string | undefined
  /**
   * At most this many calls wait for a child (besides the `maxWorkers` running); `submit()`
   * beyond it throws `QueueFullError`. See `Executor.maxQueue`. @default Infinity
   */
  maxQueue?: number | undefined
}

/** The options, checked and filled in (internal). */
export interface ParsedOptions {
  readonly maxWorkers: number | undefined
  readonly initializer: { spec: CallableSpec; args: unknown[] } | undefined
  /** `maxTasksPerWorker` or its alias `maxTasksPerChild`, unchecked beyond the alias's own check. */
  readonly maxTasksPerWorker: number | undefined
  readonly minWorkers: number | undefined
  readonly idleTimeout: number | undefined
  readonly abortGracePeriod: number
  readonly execArgv: string[]
  readonly env: Record<string, string>
  readonly name: string | undefined
  /** Passed to the base class, which checks it. */
  readonly maxQueue: number | undefined
}

/** Checks the constructor's options (throws a TypeError or RangeError naming the option). */
export function parseOptions(options: ProcessPoolExecutorOptions | undefined): ParsedOptions {
    const o = checkOptions(options)
    const maxWorkers = o.maxWorkers === undefined ? undefined : checkMaxWorkers(o.maxWorkers)
    let initializer: { spec: CallableSpec; args: unknown[] } | undefined
    if (o.initializer !== undefined) {
      let spec: CallableSpec
      try {
        spec = describeCallable(o.initializer)
      } catch (error) {
        throw new TypeError(`initializer must be a callable: ${(error as Error).message}`, { cause: error })
      }
      const args = o.initargs === undefined ? [] : [...checkArray(o.initargs, 'initargs')]
      checkArguments(args)
      initializer = { spec, args }
    } else if (o.initargs !== undefined) {
      checkArray(o.initargs, 'initargs')
    }
    const maxTasksPerChild = o.maxTasksPerChild === undefined ? undefined : checkMaxTasks(o.maxTasksPerChild)
    if (maxTasksPerChild !== undefined && o.maxTasksPerWorker !== undefined && o.maxTasksPerWorker !== maxTasksPerChild) {
      throw new RangeError(
        `ProcessPoolExecutor: maxTasksPerWorker (${describeValue(o.maxTasksPerWorker)}) and maxTasksPerChild (${String(maxTasksPerChild)}) differ; ` +
          'maxTasksPerChild is an alias of maxTasksPerWorker: give one of them',
      )
    }
    if (o.idleTimeout !== undefined && (typeof o.idleTimeout !== 'number' || !(o.idleTimeout >= 0) || o.idleTimeout > MAX_TIMER)) {
      throw new RangeError(`idleTimeout must be a number of milliseconds >= 0, got ${describeValue(o.idleTimeout)}`)
    }
    const grace: unknown = o.abortGracePeriod
    if (grace !== undefined && (typeof grace !== 'number' || Number.isNaN(grace) || grace < 0)) {
      throw new RangeError(`abortGracePeriod must be a number of milliseconds >= 0 (or Infinity), got ${describeValue(grace)}`)
    }
    const execArgv = o.execArgv === undefined ? inheritedExecArgv() : [...checkArray(o.execArgv, 'execArgv')]
    for (const arg of execArgv) {
      if (typeof arg !== 'string') throw new TypeError(`execArgv must be an array of strings, got an item ${String(arg)}`)
    }
    // tinypool replaces the child's environment with `env`: start from the parent's (Python's children inherit it).
    const merged = new Map<string, string>()
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) merged.set(key, value)
    const envOption: unknown = o.env
    if (envOption !== undefined) {
      if (typeof envOption !== 'object' || envOption === null) throw new TypeError(`env must be an object of strings, got ${typeof envOption}`)
      for (const [key, value] of Object.entries(envOption as Record<string, unknown>)) {
        if (value === undefined) merged.delete(key)
        else if (typeof value !== 'string') throw new TypeError(`env.${key} must be a string, got ${typeof value}`)
        else merged.set(key, value)
      }
    }
    const env = Object.fromEntries(merged)
    if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(`name must be a string, got ${typeof o.name}`)
  return {
    maxWorkers,
    initializer,
    maxTasksPerWorker: o.maxTasksPerWorker ?? maxTasksPerChild,
    minWorkers: o.minWorkers,
    idleTimeout: o.idleTimeout,
    abortGracePeriod: (grace) ?? 1000,
    execArgv: execArgv as string[],
    env,
    name: o.name,
    maxQueue: o.maxQueue,
  }
}

/** A bad option value, for an error message: `"50"`, `null`, `an object`. */
function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'undefined':
      return String(value)
    case 'function':
      return 'a function'
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
  }
}

function checkOptions(options: unknown): ProcessPoolExecutorOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`ProcessPoolExecutor options must be an object like { maxWorkers: 4 }, got ${Array.isArray(options) ? 'an array' : typeof options}`)
  }
  const known = ['maxWorkers', 'initializer', 'initargs', 'maxTasksPerChild', 'maxTasksPerWorker', 'minWorkers', 'idleTimeout', 'execArgv', 'env', 'abortGracePeriod', 'name', 'maxQueue']
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`ProcessPoolExecutor: unknown option "${key}"; the options are ${known.map((k) => `"${k}"`).join(', ')}`)
    }
  }
  return options
}

function checkMaxWorkers(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    if (typeof value !== 'number') throw new TypeError(`maxWorkers must be an integer greater than 0, got ${describeValue(value)}`)
    throw new RangeError(`maxWorkers must be greater than 0 (got ${String(value)}); max_workers must be greater than 0`)
  }
  return value
}

function checkMaxTasks(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`maxTasksPerChild must be an integer (max_tasks_per_child must be >= 1), got ${describeValue(value)}`)
  }
  if (value < 1) throw new RangeError(`max_tasks_per_child must be >= 1 (maxTasksPerChild got ${String(value)})`)
  return value
}

function checkArray(value: unknown, option: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${option} must be an array, got ${typeof value}`)
  return value as unknown[]
}

