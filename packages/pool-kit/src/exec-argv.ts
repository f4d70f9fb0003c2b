// Options that make a worker run something else than its entry, pause it, or restart it.
const NOT_INHERITED = /^(?:-e|--eval|-p|--print|-i|--interactive|-c|--check|--input-type|--test(?:-.*)?|--watch(?:-.*)?|--inspect(?:-.*)?|--debug(?:-.*)?)(?:=|$)/u
const NOT_INHERITED_WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '--input-type',
  '--watch-path',
  '--test-name-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-shard',
  '--test-skip-pattern',
  '--inspect-port',
  '--debug-port',
])

/**
 * The parent's Node options for a worker (a thread or a child process), as Node passes them by
 * default, less those that would make the worker run something else than its entry file or stop
 * it: `-e/--eval`, `-p/--print`, `-i`, `-c`, `--input-type`, `--test*`, `--watch*`,
 * `--inspect*`, `--debug*` (and their separate values). Loaders and hooks (`--import`,
 * `--loader`, `--require`, `--conditions`, ...) are kept, so a `tsx` parent's workers load `.ts`
 * task modules too.
 *
 * Without the filter, a pool started from `node --input-type=module -e "..."` gives every
 * worker thread `--input-type` (it then fails to start) and every child process the script
 * itself (each child runs it again: a fork bomb).
 *
 * @example
 * ```ts
 * // in `node --import tsx --input-type=module -e "..."`:
 * inheritedExecArgv() // ['--import', 'tsx']
 * ```
 *
 * @since 0.1.0
 */
export function inheritedExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? ''
    if (!NOT_INHERITED.test(arg)) out.push(arg)
    else if (NOT_INHERITED_WITH_VALUE.has(arg)) i++
  }
  return out
}
