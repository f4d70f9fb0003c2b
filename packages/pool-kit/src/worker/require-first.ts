/**
 * Loading a task's module with `require()` where that gives what `import()` gives. A worker whose
 * entry is CommonJS (the thread pool's) has a `require`; an ES module (`.mjs`, or `.js` in a
 * `"type": "module"` package) loaded with it is the very module `import()` loads (Node >= 20.19
 * shares one module cache), and it loads without Node's asynchronous ES module loader: a task's
 * first call in a fresh thread costs ~6 million instructions less (callgrind; issue 13, W5).
 *
 * Everything else goes to `import()` as before, so a task loads and fails as it did:
 * - a URL that is not a `file:` URL, or has a query or fragment, or names no `.js` / `.mjs` file
 *   (`.cjs`, `.json`, `.ts`: `require()` would load them differently);
 * - a module `require()` refuses: top-level await (`ERR_REQUIRE_ASYNC_MODULE`), require(esm) turned
 *   off (`ERR_REQUIRE_ESM`), a cycle through `import()` (`ERR_REQUIRE_CYCLE_MODULE`), a `require`
 *   that refuses because the worker is being ended (`ERR_THREAD_ENDING`), or a file
 *   that does not exist (`import()`'s error says so in its own words);
 * - a CommonJS module (`import()` presents its exports its own way: `default` and the names Node
 *   finds in its source; it runs once all the same, `import()` reuses what `require()` loaded);
 * - an export that is missing or not a function (`import()`'s namespace gives the error message).
 *
 * An error the module throws while loading is thrown as it is (`import()` would reject with it).
 * A thread with preload or loader flags (`--import`, `--require`, `--loader`, in its `execArgv` or
 * `NODE_OPTIONS`) uses `import()` only: their hooks see `require()` and `import()` differently.
 *
 * @module
 */
import type { CallableSpec } from '@x/future'
import type { TaskFunction } from './task-function.js'

/**
 * A CommonJS `require`: a worker entry's, which `WorkerRuntime` loads task modules with first.
 * @since 0.1.0
 */
export type RequireFunction = (id: string) => unknown

/** The errors for which `import()` loads the module instead. */
// (ERR_THREAD_ENDING: a thread pool's guarded require, once the pool is ending the thread: a
// require() of an ES module must not be under way when the thread is terminated, @x/thread-pool's
// load-guard.ts)
const REFUSED = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM', 'ERR_REQUIRE_CYCLE_MODULE', 'ERR_THREAD_ENDING'])
const HOOK_FLAGS = /(?:^|\s)(?:--import|--require|-r|--loader|--experimental-loader|--experimental-default-type)(?:[\s=]|$)/u

/**
 * `require` when this thread may load task modules with it (see the module's notes), else
 * `undefined`.
 *
 * @param execArgv the thread's options (`process.execArgv` in a worker thread is its own)
 * @param nodeOptions `NODE_OPTIONS`
 * @since 0.1.0
 */
export function requireForTasks(
  require: RequireFunction | undefined,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): RequireFunction | undefined {
  if (require === undefined) return undefined
  if (execArgv.some((arg) => HOOK_FLAGS.test(arg)) || HOOK_FLAGS.test(nodeOptions ?? '')) return undefined
  return require
}

const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined)

/**
 * The function task `spec` names, loaded with `require`; `undefined` when `import()` must load
 * it (see the module's notes).
 *
 * @throws what the module throws while loading.
 * @since 0.1.0
 */
export function requiredTask(require: RequireFunction, spec: CallableSpec): TaskFunction | undefined {
  if (spec.kind !== 'task') return undefined
  const url = spec.module
  if (!url.startsWith('file:') || /[?#]/u.test(url) || !/\.m?js$/u.test(url)) return undefined
  const file = process.getBuiltinModule('node:url').fileURLToPath(url)
  let namespace: unknown
  try {
    namespace = require(file)
  } catch (error) {
    const code = codeOf(error)
    if (typeof code === 'string' && REFUSED.has(code)) return undefined
    // the task's file itself is missing (a module it requires being missing is its own error)
    if (code === 'MODULE_NOT_FOUND' && (error as Error).message.startsWith(`Cannot find module '${file}'`)) return undefined
    throw error
  }
  if (!process.getBuiltinModule('node:util/types').isModuleNamespaceObject(namespace)) return undefined
  const value = (namespace as Record<string, unknown>)[spec.exportName]
  return typeof value === 'function' ? (value as TaskFunction) : undefined
}
