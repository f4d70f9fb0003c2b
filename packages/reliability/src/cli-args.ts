/**
 * A small `--name value` command-line parser for the chaos and soak commands.
 *
 * @module
 */

/** Flags by name (without the dashes); a flag given without a value is `'true'`. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === undefined) break
    if (arg === '--') continue
    if (!arg.startsWith('--')) throw new TypeError(`unexpected argument "${arg}": flags look like --name value`)
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) flags.set(name, inline)
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(name, next)
      i++
    } else flags.set(name, 'true')
  }
  return flags
}

/** A numeric flag, or `fallback` when absent; throws naming the flag when it is not a number. */
export function numberFlag(flags: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name)
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new TypeError(`--${name} must be a number, got "${raw}"`)
  return value
}

/** A list flag (`--backend thread,process`), or `fallback` when absent. */
export function listFlag(flags: ReadonlyMap<string, string>, name: string, fallback: readonly string[]): string[] {
  const raw = flags.get(name)
  return raw === undefined ? [...fallback] : raw.split(',').filter((s) => s.length > 0)
}
