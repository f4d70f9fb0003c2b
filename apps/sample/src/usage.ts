/**
 * Command-line errors and argument checks. A {@link UsageError} is printed as
 * `x-sample: <message>` followed by a hint, and the process exits with status 2.
 */

/** A bad command line: the message says what is wrong and how to fix it. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE'
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Exit status for a bad command line (like most Unix tools). */
export const EXIT_USAGE = 2
/** Exit status after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130

/** Parses `--workers N`: a positive integer, at most 256. */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/u.test(value.trim())) {
    throw new UsageError(`--workers must be a whole number of workers, like --workers 4 (got '${value}')`)
  }
  const n = Number(value)
  if (n < 1 || n > 256) throw new UsageError(`--workers must be between 1 and 256 (got ${value})`)
  return n
}

/** Parses a count from 1 to 1000 (`--repeat 8`). */
export function parseCount(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/u.test(value.trim()) || Number(value) < 1 || Number(value) > 1000) {
    throw new UsageError(`${option} takes a whole number from 1 to 1000, like ${option} 8 (got '${value}')`)
  }
  return Number(value)
}

/** Parses a duration in milliseconds (`--timeout 1500`). */
export function parseMilliseconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/u.test(value.trim()) || Number(value) < 1) {
    throw new UsageError(`${option} takes a number of milliseconds greater than 0, like ${option} 1500 (got '${value}')`)
  }
  return Number(value)
}

/** Checks a value against a fixed list of choices. */
export function parseChoice<T extends string>(value: string | undefined, choices: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined
  if ((choices as readonly string[]).includes(value)) return value as T
  throw new UsageError(`${option} must be one of ${choices.join(', ')} (got '${value}')`)
}
