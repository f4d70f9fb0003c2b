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
 * `@x/future` per thread), is loaded with `import()`, from the URL the pool resolved
 * (`workerData.links`: the entry's core file, `runtime-core.js`, when there is one, threads.ts),
 * else by its specifier. Never with `require()`: Node 20.20 aborts the whole
 * process when a thread is terminated while it is inside a `require()` of an ES module (`FATAL
 * ERROR: v8::Module::IsGraphAsync`), and the pool terminates threads at any moment (shutdown,
 * `cancelFutures`, Ctrl-C). Task modules load with `import()` too (`loadCallable`).
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
) => void

const data = threads.workerData as { readonly links?: Readonly<Record<string, string>>; readonly codeCache?: Uint8Array } | null | undefined
// (started first: Node reads its files on the thread pool while this thread compiles the bundle)
const runtime = import(data?.links?.[RUNTIME] ?? RUNTIME)
const file = path.join(__dirname, 'bundle', 'worker.cjs')
const given = data?.codeCache
// (the wrapper's head on a line of its own: the bundle's lines and columns stay as in the file)
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, xLinked, xThreadCodeCache) {\n${fs.readFileSync(file, 'utf8')}\n})`, {
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
  wrapped.call(bundleModule.exports, bundleModule.exports, require, bundleModule, file, path.dirname(file), { [RUNTIME]: linked }, accepted ? undefined : () => script.createCachedData())
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
