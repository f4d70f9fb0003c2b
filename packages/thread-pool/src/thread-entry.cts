/**
 * The CommonJS entry a thread starts on where it can `require()` ES modules (entry.ts). It runs
 * the bundled worker (`dist/bundle/worker.cjs`, src/worker.ts) compiled with V8's code cache of
 * it, when the pool has one: made by the first thread of the process after its first task (the
 * session's reply carries it), so later threads skip parsing the bundle and compiling the
 * functions that task ran. A thread spends ~5 million fewer instructions on its start
 * (callgrind; issue 13, W5). A cache V8 rejects (another Node, other V8 flags, another build of
 * the file) costs nothing but the check: the thread compiles as without one, and makes a new one.
 *
 * @internal
 * @module
 */
const fs = process.getBuiltinModule('node:fs')
const path = process.getBuiltinModule('node:path')
const vm = process.getBuiltinModule('node:vm')
const threads = process.getBuiltinModule('node:worker_threads')

/** How the bundle is called: CommonJS's module wrapper, and the code cache maker (src/worker.ts). */
type Wrapped = (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
  xThreadCodeCache: (() => Uint8Array) | undefined,
) => void

const file = path.join(__dirname, 'bundle', 'worker.cjs')
const given = (threads.workerData as { codeCache?: Uint8Array } | null | undefined)?.codeCache
// (the wrapper on a line of its own: the bundle's lines and columns stay as in the file)
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, xThreadCodeCache) {\n${fs.readFileSync(file, 'utf8')}\n})`, {
  filename: file,
  lineOffset: -1,
  ...(given === undefined ? {} : { cachedData: given }),
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
})
const accepted = given !== undefined && script.cachedDataRejected !== true
// What became of the cache (for the package's tests).
Object.defineProperty(globalThis, Symbol.for('@x/thread-pool/code-cache'), { value: given === undefined ? 'none' : accepted ? 'used' : 'rejected' })
const wrapped = script.runInThisContext() as Wrapped
wrapped.call(module.exports, module.exports, require, module, file, path.join(__dirname, 'bundle'), accepted ? undefined : () => script.createCachedData())
