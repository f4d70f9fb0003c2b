/**
 * The script every pool thread starts on (threads.ts): a CommonJS file, so that it can compile the
 * bundled worker (`dist/bundle/worker.cjs`: src/worker.ts with `@x/pool-kit`, scripts/bundle.mjs
 * `--cjs`) with V8's code cache of it, which Node 20 offers for scripts, not for ES modules. The
 * cache is made by the first thread of the process after its first task (the session's reply
 * carries it, threads.ts hands it to later threads), so a later thread skips parsing the bundle
 * and compiling the functions that task ran (issue 13, W5). A cache V8 rejects (another Node,
 * other V8 flags, another build of the file) costs only the check: the thread compiles as
 * without one, and makes a new one.
 *
 * `@x/future/runtime`, the ES module the bundle links (shared with the task modules, so one
 * `@x/future` per thread), is loaded from the URL the pool resolved (`workerData.links`: the
 * entry's core file, `runtime-core.js`, when there is one, threads.ts) with `require()`, which
 * skips Node's asynchronous ES module loader (its resolver, `fs/promises` with `readline` and the
 * watchers; issue 13, W5), and so are ES module task files (the bundle gets the guarded `require`,
 * `@x/pool-kit`'s require-first.ts). Each `require()` runs inside the thread's load guard
 * (load-guard.ts): Node 20.20 aborts the whole process when a thread is terminated inside a
 * `require()` of an ES module (`FATAL ERROR: v8::Module::IsGraphAsync`), so the pool terminates a
 * thread only outside one. Without a guard (a pool off the main thread), with preload or loader
 * flags, or when `require()` refuses (require(esm) turned off, the pool ending the thread), the
 * runtime loads with `import()`, as task modules do then (`loadCallable`).
 *
 * `module.exports` is a promise that settles once the bundle ran (for the package's tests); a
 * runtime that fails to load rejects it, and ends the thread with that error.
 *
 * @internal
 * @module
 */
const fs = process.getBuiltinModule('node:fs')
const path = process.getBuiltinModule('node:path')
const vm = process.getBuiltinModule('node:vm')
const threads = process.getBuiltinModule('node:worker_threads')

/** The linked package (scripts/bundle.mjs `--link`). */
const RUNTIME = '@x/future/runtime'

/** The bundle as compiled: CommonJS's module wrapper, the linked packages and the cache maker. */
type Wrapped = (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
  xLinked: Readonly<Record<string, unknown>>,
  xThreadCodeCache: (() => Uint8Array) | undefined,
  xThreadRequire: ((id: string) => unknown) | undefined,
) => void

const data = threads.workerData as
  | { readonly links?: Readonly<Record<string, string>>; readonly codeCache?: Uint8Array; readonly loadGuard?: SharedArrayBuffer }
  | null
  | undefined

// The load guard's states (load-guard.ts)
const FREE = 0
const LOADING = 1
const ENDED = 3
const guard = data?.loadGuard === undefined ? undefined : new Int32Array(data.loadGuard)
// (the flags @x/pool-kit's require-first.ts reads too: their hooks see require() and import() apart)
const hooked = /(?:^|\s)(?:--import|--require|-r|--loader|--experimental-loader|--experimental-default-type)(?:[\s=]|$)/u
const guarded = guard !== undefined && !process.execArgv.some((arg) => hooked.test(arg)) && !hooked.test(process.env.NODE_OPTIONS ?? '')

/** `require()` inside the load guard: never under way when the pool terminates the thread. */
function guardedRequire(id: string): unknown {
  // (LOADING or ENDING: within a guarded require() already, which holds the guard)
  const state = guard === undefined ? LOADING : Atomics.compareExchange(guard, 0, FREE, LOADING)
  if (state === ENDED) throw Object.assign(new Error('@x/thread-pool: the thread is being ended'), { code: 'ERR_THREAD_ENDING' })
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the thread's one require() of modules, in the guard
    return require(id)
  } finally {
    // the pool asked to end the thread meanwhile: it may now
    if (guard !== undefined && state === FREE && Atomics.compareExchange(guard, 0, LOADING, FREE) !== LOADING) {
      Atomics.store(guard, 0, ENDED)
      Atomics.notify(guard, 0)
    }
  }
}

/** `@x/future/runtime`: required where the thread may (see the notes), else imported. */
async function loadRuntime(link: string | undefined): Promise<unknown> {
  if (!guarded || link?.startsWith('file:') !== true) return import(link ?? RUNTIME)
  try {
    // (an async function runs this part at once, as the thread starts)
    return guardedRequire(process.getBuiltinModule('node:url').fileURLToPath(link))
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_THREAD_ENDING') return import(link)
    throw error
  }
}

// (before the bundle: an import(), when it comes to that, reads its files on the thread pool while
// this thread compiles the bundle)
const runtime = loadRuntime(data?.links?.[RUNTIME])
const file = path.join(__dirname, 'bundle', 'worker.cjs')
const given = data?.codeCache
// (the wrapper's head on a line of its own: the bundle's lines and columns stay as in the file)
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, xLinked, xThreadCodeCache, xThreadRequire) {\n${fs.readFileSync(file, 'utf8')}\n})`, {
  filename: file,
  lineOffset: -1,
  ...(given === undefined ? {} : { cachedData: given }),
})
const accepted = given !== undefined && script.cachedDataRejected !== true
// What became of the cache (for the package's tests).
Object.defineProperty(globalThis, Symbol.for('@x/thread-pool/code-cache'), { value: given === undefined ? 'none' : accepted ? 'used' : 'rejected' })
const wrapped = script.runInThisContext() as Wrapped
const bundleModule = { exports: {} } as NodeJS.Module

const started = runtime.then((linked: unknown) => {
  wrapped.call(bundleModule.exports, bundleModule.exports, require, bundleModule, file, path.dirname(file), { [RUNTIME]: linked }, accepted ? undefined : () => script.createCachedData(), guarded ? guardedRequire : undefined)
})
// A runtime that cannot be loaded, or a bundle that throws, ends the thread with that error as an
// uncaught exception (what an ES module entry failing to load does), whatever the process's
// --unhandled-rejections mode says.
started.catch((error: unknown) => {
  process.nextTick(() => {
    throw error
  })
})
module.exports = started
