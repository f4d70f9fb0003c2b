/**
 * Which of the package's two bundled worker entries (scripts/bundle.mjs) a new thread starts on.
 * Where Node can `require()` an ES module (the default from Node 20.19), the CommonJS one,
 * `dist/bundle/worker.cjs`, run by `dist/thread-entry.cjs` with V8's code cache: it loads
 * `@x/future/runtime` and the task modules with `require()`, without Node's asynchronous ES
 * module loader (issue 13, W5). Else the ES module one, `dist/bundle/worker.js`, which imports
 * them.
 *
 * @internal
 * @module
 */

const CJS = new URL('./thread-entry.cjs', import.meta.url)
const ESM = new URL('./bundle/worker.js', import.meta.url)
const FLAG = /^--(?:no-)?experimental-require-module$/u

/**
 * Whether a thread started with `execArgv` (`undefined`: this process's options, inherited) can
 * `require()` ES modules. A thread given an explicit `execArgv` reads `NODE_OPTIONS`, then that
 * list (this process's own command line does not carry over): the last of the two flags wins.
 */
export function threadRequiresModules(execArgv: readonly string[] | undefined): boolean {
  const own = (process.features as { readonly require_module?: boolean }).require_module
  if (own === undefined) return false // a Node without require(esm)
  if (execArgv === undefined) return own
  const flags = [...(process.env.NODE_OPTIONS ?? '').split(/\s+/u), ...execArgv].filter((arg) => FLAG.test(arg))
  return flags.at(-1) !== '--no-experimental-require-module'
}

/** The entry a thread started with `execArgv` runs (see the module's notes). */
export function threadEntry(execArgv: readonly string[] | undefined): URL {
  return threadRequiresModules(execArgv) ? CJS : ESM
}
