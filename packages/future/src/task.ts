import { hasBrand, taskBrand } from './brands.js'
import { describeValue } from './errors.js'

/**
 * A handle to a function exported by a module, which a worker can import by itself. Create it
 * with {@link task}; pass it to `submit()`/`map()` like the function it names.
 *
 * The type parameter is the function's type, so `submit()` checks arguments and result types.
 *
 * @typeParam F - The type of the function the handle names.
 * @since 0.1.0
 */
export interface Task<F extends (...args: any[]) => unknown = (...args: any[]) => unknown> {
  /** The module's URL (`file:` URL string). */
  readonly module: string
  /** The export's name. */
  readonly exportName: string
  /** The name shown in diagnostics: the export name, or the module's file name for `default`. */
  readonly name: string
  /** @internal type-only: the function type */
  readonly __fn?: F
}

/**
 * The names of the function exports of a module type, such as `typeof import('./tasks.js')`: what
 * `task<typeof import('./tasks.js')>(url, name)` accepts as `name`.
 *
 * @since 0.1.0
 */
export type TaskName<M> = { [K in keyof M]-?: M[K] extends (...args: any[]) => unknown ? K : never }[keyof M] & string

/**
 * A typed handle to the export `exportName` of the module at `module` (a `URL`, a `file:` URL
 * string or an absolute path). The worker imports that module itself, so the function may use its
 * module's imports and variables. This is how work reaches thread and process pools when it is
 * not a self-contained function.
 *
 * This form takes the function's type: `submit()` checks the arguments and types the result.
 *
 * @example
 * ```ts
 * // tasks.ts: export function pow(a: bigint, b: bigint) { return a ** b }
 * const pow = task<typeof import('./tasks.js').pow>(new URL('./tasks.js', import.meta.url), 'pow')
 * const f = pool.submit(pow, 323n, 1235n) // Future<bigint>
 * ```
 *
 * @typeParam F - The function's type, e.g. `typeof import('./tasks.js').pow`.
 * @throws TypeError when `module` is neither a `URL`, a URL string nor an absolute path (a
 *   relative path cannot be resolved by a worker: the message shows the `new URL(...)` to write),
 *   or `exportName` is not a non-empty string.
 * @since 0.1.0
 */
export function task<F extends (...args: any[]) => unknown>(module: string | URL, exportName?: string): Task<F>
/**
 * A handle checked against the module's type: `exportName` must name one of its function exports
 * (`'fibb'` is a compile error). Give the name as the second type argument too, and `submit()`
 * checks the arguments and types the result exactly; with the module type alone the handle's
 * type is any of the module's functions (TypeScript cannot infer one type argument from a value
 * while you write the other: microsoft/TypeScript#26242).
 *
 * @example
 * ```ts
 * // tasks.ts: export function fib(n: number): number { ... }
 * const url = new URL('./tasks.js', import.meta.url)
 * const fib = task<typeof import('./tasks.js'), 'fib'>(url, 'fib')
 * const f = pool.submit(fib, 30) // Future<number>; pool.submit(fib, '30') is a compile error
 * task<typeof import('./tasks.js')>(url, 'fibb') // compile error: not an export of tasks.js
 * ```
 *
 * @throws TypeError when `module` is neither a `URL`, a URL string nor an absolute path (a
 *   relative path cannot be resolved by a worker: the message shows the `new URL(...)` to write),
 *   or `exportName` is not a non-empty string.
 * @since 0.1.0
 */
export function task<M extends object, K extends TaskName<M> = TaskName<M>>(
  module: string | URL,
  exportName: K,
): Task<Extract<M[K], (...args: any[]) => unknown>>
export function task(module: string | URL, exportName = 'default'): Task {
  const href = moduleHref(module)
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError(`task(): exportName must be a non-empty string, got ${describeValue(exportName)}`)
  }
  const file = href.slice(href.lastIndexOf('/') + 1)
  const handle = {
    module: href,
    exportName,
    name: exportName === 'default' ? file.replace(/\.[cm]?[jt]s$/, '') : exportName,
  }
  Object.defineProperty(handle, taskBrand, { value: true })
  return Object.freeze(handle) as Task
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) return module.href
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(
      `task(): module must be a URL or an absolute path, got ${describeValue(module)}; ` +
        `write task(new URL('./tasks.js', import.meta.url), 'name')`,
    )
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return new URL(module).href
  // (node:path and node:url as builtins, not static imports: see task-storage.ts)
  if (process.getBuiltinModule('node:path').isAbsolute(module)) return process.getBuiltinModule('node:url').pathToFileURL(module).href
  throw new TypeError(
    `task(): "${module}" is not a URL or an absolute path; a worker cannot resolve it relative to your module. ` +
      `Write task(new URL('${module}', import.meta.url), ...) or task(import.meta.resolve('${module}'), ...)`,
  )
}

/**
 * `true` for a handle made by {@link task} (by any copy of this package).
 *
 * @since 0.1.0
 */
export function isTask(value: unknown): value is Task {
  return hasBrand(value, taskBrand)
}
