import { inheritedExecArgv } from '@x/pool-kit'

/**
 * Options a worker thread accepts in an explicit `execArgv` and a thread may need: loaders and
 * hooks (so a `tsx` parent's threads load `.ts` modules), module conditions, warnings, source
 * maps, experimental features. Node refuses V8 options (`--max-old-space-size`, `--expose-gc`)
 * and per-process options there with ERR_WORKER_INVALID_EXEC_ARGV, while it lets a thread
 * inherit them silently.
 */
const THREAD_SAFE = /^(?:--import|--require|-r|--loader|--experimental-loader|--conditions|-C|--enable-source-maps|--no-warnings|--disable-warning|--no-deprecation|--trace-warnings|--trace-deprecation|--throw-deprecation|--pending-deprecation|--trace-uncaught|--no-experimental-[a-z-]+|--experimental-[a-z-]+)(?:=|$)/u
/** Of {@link THREAD_SAFE}, those whose value may come as the next argument. */
const WITH_VALUE = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--disable-warning'])

/**
 * The `execArgv` of the pool's worker threads: `undefined` (Node's default: the parent's options,
 * inherited as they are) unless the parent was started with an option that would stop a thread
 * from running its entry (`--eval`, `--input-type`, `--print`, ...; see `inheritedExecArgv`).
 * Then an explicit list: the parent's loader, condition, warning, source-map and experimental
 * options, which worker threads accept.
 */
export function threadExecArgv(execArgv: readonly string[] = process.execArgv): string[] | undefined {
  const kept = inheritedExecArgv(execArgv)
  if (kept.length === execArgv.length) return undefined
  const out: string[] = []
  for (let i = 0; i < kept.length; i++) {
    const arg = kept[i] ?? ''
    if (!THREAD_SAFE.test(arg)) continue
    out.push(arg)
    const next = kept[i + 1]
    if (WITH_VALUE.has(arg) && next !== undefined) {
      out.push(next)
      i++
    }
  }
  return out
}
