/**
 * The module every child starts on (tinypool imports it and runs its `session` export once,
 * tinypool-processes.ts). It compiles the bundled child (`dist/bundle/child.cjs`: src/child.ts
 * with `@x/pool-kit`, scripts/bundle.mjs `--cjs`) as a script, with V8's code cache of it, which
 * Node 20 offers for scripts, not for ES modules. (This file stays an ES module: tinypool imports
 * it, and an import of a CommonJS file starts Node's CommonJS export lexer, more than the cache
 * saves.) The first child of
 * the parent process that is asked to makes the cache just before its first result (child.ts),
 * the parent keeps it, and every later child of any pool gets it in its session: it skips
 * parsing the bundle and compiling the functions that ran a task (issue 13, W5: a child's start
 * is what a process pool's create -> first result -> shutdown waits for). A cache V8 rejects
 * (another Node, other V8 flags, another build of the file) costs only the check: the child
 * compiles as without one.
 *
 * The bundle is compiled when the session comes (it names the file, so this module reads no
 * `import.meta`, whose first read costs a child ~0.6M instructions, and carries the cache);
 * nothing else reaches the child before then but the session itself (the parent holds the pool's
 * messages until the child has spoken, tinypool-processes.ts). `@x/future/runtime`, the ES module the bundle links (shared
 * with the task modules, so one `@x/future` per child), starts loading at once with `import()`,
 * from the URL the parent resolved: the argument `--x-link=@x/future/runtime=<url>`, which this
 * takes out of `process.argv` before any task's code runs (a task reading `process.argv` sees
 * what a plain `node script` would). A runtime that cannot be loaded, or a bundle that throws,
 * ends the child with that error as an uncaught exception (what an ES module entry failing to
 * load does).
 *
 * @internal
 * @module
 */
import type { SessionStart } from './protocol.js'

const fs = process.getBuiltinModule('node:fs')
const vm = process.getBuiltinModule('node:vm')

/** The linked package (scripts/bundle.mjs `--link`). */
const RUNTIME = '@x/future/runtime'
const LINK_PREFIX = `--x-link=${RUNTIME}=`

/** The bundle as compiled: CommonJS's module wrapper, the linked packages and the cache maker. */
type Wrapped = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  xLinked: Readonly<Record<string, unknown>>,
  xChildCodeCache: (() => Uint8Array) | undefined,
) => void

/** The bundle's exports (src/child.ts). */
interface Bundle {
  session(start: SessionStart): Promise<never>
}

const linkAt = process.argv.findIndex((arg) => arg.startsWith(LINK_PREFIX))
const link = linkAt === -1 ? undefined : process.argv.splice(linkAt, 1)[0]?.slice(LINK_PREFIX.length)
const runtime: Promise<unknown> = import(link ?? RUNTIME)
runtime.catch(uncaught)

let bundle: Promise<Bundle> | undefined

/** The bundle's `require`: it requires Node's builtins only (its other imports are inlined or linked). */
function requireBuiltin(id: string): unknown {
  const builtin = id.startsWith('node:') ? process.getBuiltinModule(id) : undefined
  if (builtin === undefined) throw new Error(`@x/process-pool: the bundled child requires "${id}", which is not a Node builtin (a build error: scripts/bundle.mjs inlines or links every other import)`)
  return builtin
}

/** Compiles and runs the bundle, with the session's cache when it has one. */
async function load(start: SessionStart): Promise<Bundle> {
  const file = start.bundle
  const given = start.codeCache
  // (the wrapper's head on a line of its own: the bundle's lines and columns stay as in the file)
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, xLinked, xChildCodeCache) {\n${fs.readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(given === undefined ? {} : { cachedData: given }),
  })
  const accepted = given !== undefined && script.cachedDataRejected !== true
  // What became of the cache (for the package's tests).
  Object.defineProperty(globalThis, Symbol.for('@x/process-pool/code-cache'), { value: given === undefined ? 'none' : accepted ? 'used' : 'rejected' })
  const wrapped = script.runInThisContext() as Wrapped
  const linked = await runtime
  const bundleModule = { exports: {} } as { exports: unknown }
  const maker = start.makeCodeCache === true && !accepted ? () => script.createCachedData() : undefined
  wrapped.call(bundleModule.exports, bundleModule.exports, requireBuiltin, bundleModule, file, process.getBuiltinModule('node:path').dirname(file), { [RUNTIME]: linked }, maker)
  return bundleModule.exports as Bundle
}

/**
 * tinypool's task: loads the bundle and runs its session (src/child.ts), which sets the child up,
 * reports it ready with a message, and rejects (child.ts says why).
 */
export async function session(start: SessionStart): Promise<never> {
  bundle ??= load(start)
  let loaded: Bundle
  try {
    loaded = await bundle
  } catch (error) {
    uncaught(error)
    throw error
  }
  return loaded.session(start)
}

function uncaught(error: unknown): void {
  process.nextTick(() => {
    throw error
  })
}
