/**
 * The URL a pool hands its workers for `@x/future/runtime`: the entry's core file,
 * `runtime-core.js` next to it (`@x/future`'s build, scripts/bundle.mjs `--core`), when there is
 * one. The core holds all of the entry's code and is the module instance behind the entry, so a
 * worker that loads it gets the same `@x/future` its task modules import, from one file instead of
 * two (~3.5M instructions less per fresh thread or child, callgrind; issue 13, W5). A worker that
 * loads the core, not the entry, sees the entry evaluated only when a task module imports it,
 * which makes `@x/future` start loading the executor classes such a task may need (`@x/future`'s
 * class-registry.ts).
 *
 * @param entry `@x/future/runtime` as the pool resolved it (`import.meta.resolve`)
 * @returns the core's URL, or `entry` itself when it is not a `file:` URL of `runtime.js` with a
 *   `runtime-core.js` beside it (an unbundled or differently built `@x/future`)
 * @since 0.1.0
 */
export function runtimeCoreUrl(entry: string): string {
  if (!entry.startsWith('file:') || !entry.endsWith('/runtime.js')) return entry
  const core = new URL('./runtime-core.js', entry)
  return process.getBuiltinModule('node:fs').existsSync(core) ? core.href : entry
}
