/**
 * The backend kit: what a pool needs to send work to another thread or process and run it there.
 * Used by `@x/thread-pool` and `@x/process-pool`; third-party backends may use it too.
 *
 * @module
 */
import { executorBrand, futureBrand, hasBrand } from './brands.js'
import { classesLoading, CURRENT_TASK_GLOBAL, loadClassesInThread } from './class-registry.js'
import { describeValue } from './errors.js'
import { isTask } from './task.js'
import type { Task } from './task.js'

/**
 * Any function, or a {@link Task} handle: what `submit()` and `map()` accept.
 *
 * @since 0.1.0
 */
export type Callable = ((...args: any[]) => unknown) | Task

/**
 * How a callable travels to a worker: a module export, or a self-contained function's source.
 *
 * @since 0.1.0
 */
export type CallableSpec =
  | {
      /** A module export, loaded by the worker with `import()`. */
      readonly kind: 'task'
      /** The module's `file:` URL. */
      readonly module: string
      /** The export to call (`'default'` for a default export). */
      readonly exportName: string
      /** The name shown in diagnostics. */
      readonly name: string
    }
  | {
      /** A self-contained function, sent as its source text. */
      readonly kind: 'source'
      /** The function's source (`Function.prototype.toString`), compiled once per worker. */
      readonly source: string
      /** The function's name (`'anonymous'` when it has none). */
      readonly name: string
    }

const compiledOk = new Map<string, string>()

/**
 * Turns a function or task handle into a {@link CallableSpec} a worker can load. Throws a
 * `TypeError` that names the problem and the fix for what cannot travel: a native function
 * (`Math.pow`), a bound function, a class, or something that is not a function. A global built-in
 * that every worker has under the same name (`String`, `Number`, `parseInt`) travels by name.
 *
 * A function sent as source runs in a fresh scope in the worker: it must not use variables from
 * outside itself (see {@link invokeCallable} for the error it gets when it does).
 *
 * @throws TypeError when `fn` is not a function or task handle, or is a native (not global
 *   built-in), bound or class function, or its source does not compile on its own.
 * @since 0.1.0
 */
export function describeCallable(fn: Callable): CallableSpec {
  if (isTask(fn)) return { kind: 'task', module: fn.module, exportName: fn.exportName, name: fn.name }
  if (typeof fn !== 'function') {
    throw new TypeError(
      `expected a function or a task(url, name) handle to run, got ${describeValue(fn)}`,
    )
  }
  const name = fn.name || 'anonymous'
  const source = Function.prototype.toString.call(fn)
  const cached = compiledOk.get(source)
  if (cached !== undefined) return { kind: 'source', source: cached, name }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    // A global built-in reachable by its own name (String, Number, parseInt, ...) exists in every
    // worker too, so it travels by that name. Namespace members (Math.pow) do not.
    if (/^[A-Za-z_$][\w$]*$/.test(name) && (globalThis as Record<string, unknown>)[name] === fn) {
      return { kind: 'source', source: name, name }
    }
    if (name.startsWith('bound ')) {
      throw new TypeError(
        `${name === 'bound ' ? 'a bound function' : `"${name}" is a bound function: it`} cannot be sent to a worker, because its bound "this" and arguments ` +
          `stay behind. Pass them as arguments to a self-contained function instead, ` +
          `or export the function from a module and submit task(url, name).`,
      )
    }
    throw new TypeError(
      `"${name}" is a native function and has no source to send to a worker. ` +
        `Wrap it in a self-contained function that calls it, e.g. for Math.pow: submit((a, b) => Math.pow(a, b), 2, 8), ` +
        `or export such a wrapper from a module and submit task(url, name).`,
    )
  }
  if (/^class[\s{]/.test(source)) {
    throw new TypeError(`${name} is a class, not a function; submit a function that constructs it instead.`)
  }
  const compilable = normalizeSource(source)
  if (compilable === undefined) {
    throw new TypeError(
      `${name} cannot be compiled on its own (it looks like an object method or accessor). ` +
        `Submit an arrow function or a function expression, or export it and use task(url, name).`,
    )
  }
  compiledOk.set(source, compilable)
  return { kind: 'source', source: compilable, name }
}

/** Source text that compiles as an expression, or undefined. Methods become function expressions. */
function normalizeSource(source: string): string | undefined {
  if (compiles(source)) return source
  // Method shorthand: `name(a) {...}`, `async name(a) {...}`, `*name() {...}`, `async *name() {...}`
  const match = /^(async\s+)?(\*\s*)?([A-Za-z_$][\w$]*)\s*\(/.exec(source)
  if (match !== null && !['get', 'set', 'static'].includes(match[3] ?? '')) {
    const rewritten = `${match[1] ?? ''}function${match[2] !== undefined ? '*' : ''} ${source.slice((match[1] ?? '').length + (match[2] ?? '').length)}`
    if (compiles(rewritten)) return rewritten
  }
  return undefined
}

function compiles(source: string): boolean {
  try {
    // Only parses: the function body does not run.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function(`return (${source}\n)`)
    return true
  } catch {
    return false
  }
}

type Fn = (...args: unknown[]) => unknown
const loaded = new Map<string, Fn>()

/**
 * esbuild's `keepNames` helper, in the scope of every function compiled from source. esbuild (and
 * tsx, which compiles with it) rewrites `function inner() {}` inside a function to
 * `function inner() {} __name(inner, "inner")`, calling a `__name` defined at the top of the
 * compiled file; the function's source text carries the call but not the helper. This is the
 * helper's documented behaviour: it sets the function's `name` and returns it.
 */
function keepName<T extends object>(target: T, value: string): T {
  return Object.defineProperty(target, 'name', { value, configurable: true })
}

function cacheKey(spec: CallableSpec): string {
  return spec.kind === 'task' ? `task\u0000${spec.module}\u0000${spec.exportName}` : `source\u0000${spec.source}`
}

/**
 * Worker side: the function a {@link CallableSpec} names, compiled or imported once per worker
 * and cached. A task's module is imported; a missing export or one that is not a function is a
 * `TypeError` naming the module and export.
 *
 * @throws TypeError (the promise rejects) when the module has no such export or it is not a
 *   function; the module's own import error when it cannot be imported.
 * @since 0.1.0
 */
export async function loadCallable(spec: CallableSpec): Promise<Fn> {
  const key = cacheKey(spec)
  const hit = loaded.get(key)
  if (hit !== undefined) return hit
  let fn: Fn
  if (spec.kind === 'source') {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const compile = new Function(
      '__name',
      `return (${spec.source}\n)\n//# sourceURL=x-task:${encodeURIComponent(spec.name)}`,
    ) as (helper: typeof keepName) => Fn
    fn = compile(keepName)
    // a function that reaches currentTask() through its global may read `.executor`
    if (spec.source.includes(CURRENT_TASK_GLOBAL)) loadClassesInThread()
  } else {
    const namespace = (await import(spec.module)) as Record<string, unknown>
    const value = namespace[spec.exportName]
    if (typeof value !== 'function') {
      const exports = Object.keys(namespace).filter((k) => typeof namespace[k] === 'function')
      throw new TypeError(
        value === undefined
          ? `module ${spec.module} has no export named "${spec.exportName}"` +
              (exports.length > 0 ? `; its function exports are: ${exports.join(', ')}` : '')
          : `export "${spec.exportName}" of ${spec.module} is not a function (it is ${describeValue(value)})`,
      )
    }
    fn = value as Fn
  }
  // In a worker thread that lacks @x/future's Executor and Future, a module that imported
  // `@x/future/runtime`, or a function that uses the global, started loading them: they are
  // there when the task reads `currentTask().executor` (class-registry.ts).
  const classes = classesLoading()
  if (classes !== undefined) await classes
  loaded.set(key, fn)
  return fn
}

/**
 * Worker side: loads the callable (cached), calls it with `args` and awaits the result. When a
 * function sent as source fails with `ReferenceError: X is not defined` because it uses a
 * variable from outside itself, the error is replaced by one that says so and names the fix
 * (code `ERR_OUTSIDE_VARIABLE`; the original is its `cause`).
 *
 * @throws whatever the call throws (the promise rejects), through {@link explainCallError}; the
 *   errors of {@link loadCallable}.
 * @since 0.1.0
 */
export async function invokeCallable(spec: CallableSpec, args: readonly unknown[]): Promise<unknown> {
  const fn = loaded.get(cacheKey(spec)) ?? (await loadCallable(spec))
  try {
    return await fn(...args)
  } catch (error) {
    throw explainCallError(spec, error)
  }
}

/**
 * Worker side: the error to report for a call of `spec` that threw `error`. For a function sent as
 * source that failed with `ReferenceError: X is not defined` because it uses a variable from
 * outside itself, an error that says so and names the fix (code `ERR_OUTSIDE_VARIABLE`, the
 * original as its `cause`); any other error as it is. {@link invokeCallable} applies it; a backend
 * that calls loaded functions itself (a fast path) should too.
 *
 * @since 0.1.0
 */
export function explainCallError(spec: CallableSpec, error: unknown): unknown {
  return spec.kind === 'source' ? explainOutsideVariable(error, spec.name) : error
}

function explainOutsideVariable(error: unknown, name: string): unknown {
  if (!(error instanceof ReferenceError)) return error
  const match = /^(\S+) is not defined$/.exec(error.message)
  const variable = match?.[1]
  if (variable === undefined || variable in globalThis) return error
  const explained = new ReferenceError(outsideVariableMessage(variable, name), { cause: error })
  Object.defineProperty(explained, 'code', { value: 'ERR_OUTSIDE_VARIABLE', enumerable: true, writable: true, configurable: true })
  return explained
}

/** What to say about `variable`, used by the function `name` (`'anonymous'` when it has none). */
function outsideVariableMessage(variable: string, name: string): string {
  const which = name === 'anonymous' ? 'The function' : `The function "${name}"`
  // An export name that works: the function's own, or one the user picks for an anonymous one.
  const exportHint =
    name === 'anonymous'
      ? `export the function under a name from a module and submit task(new URL('./tasks.js', import.meta.url), 'thatName')`
      : `export "${name}" from a module and submit task(new URL('./tasks.js', import.meta.url), '${name}')`
  if (/^__[A-Za-z]+$/.test(variable)) {
    return (
      `${which} uses "${variable}", a helper your compiler (esbuild, tsx, a bundler) added to its code and defined ` +
      `at the top of the compiled file. A function sent to a worker as source runs in a fresh scope there, without ` +
      `that helper. Fix: ${exportHint} (a module keeps its helpers), or compile for a newer target so the helper ` +
      `is not needed.`
    )
  }
  return (
    `${which} uses "${variable}", a variable from outside the function. A function sent to a worker as source ` +
    `runs in a fresh scope there, so it must be self-contained. If it is data, pass "${variable}" as an argument: ` +
    `submit((${variable}, ...) => ..., ${variable}). If it is a function, a class or an import, move it inside the ` +
    `function, or ${exportHint}: the worker imports that module, so the function keeps everything it uses.`
  )
}

const MAX_DEPTH = 4
const MAX_VISITS = 2000

/**
 * Parent side: refuses arguments that cannot or must not travel to a worker: a `Future` or an
 * `Executor` (anywhere inside arrays, plain objects, Maps and Sets, a few levels deep), or a
 * function. The `TypeError` names the argument (`argument 2`, `argument 1.items[3]`) and the fix
 * (for a future inside an argument: pass it at top level, where `submit()` waits for it). A
 * backend calls it on the arguments its `submitWith()` gets: `Executor` has already replaced the
 * futures passed at top level by their values.
 *
 * @throws TypeError when an argument is or contains a `Future`, an `Executor` or a function.
 * @since 0.1.0
 */
export function checkArguments(args: readonly unknown[]): void {
  // (a primitive needs no look, nor a path for a message: a call with plain arguments allocates
  // nothing here; nor does a call with typed arrays, looked at here as check() would, the budget
  // kept as a count until something has more to look into)
  let budget: { visits: number } | undefined
  let visits = 0
  for (let i = 0; i < args.length; i++) {
    const value = args[i]
    if (isPrimitive(value)) continue
    if (budget === undefined && isPlainBinary(value)) {
      visits++
      continue
    }
    check(value, `argument ${String(i + 1)}`, 0, (budget ??= { visits }))
  }
}

/**
 * A typed array or a `DataView` that is neither a future nor an executor: what check() lets
 * through without looking inside (`ArrayBuffer.isView`), as one visit of the budget.
 */
function isPlainBinary(value: unknown): boolean {
  return ArrayBuffer.isView(value) && !hasBrand(value, futureBrand) && !hasBrand(value, executorBrand)
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function')
}

function check(value: unknown, path: string, depth: number, budget: { visits: number }): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return
  if (++budget.visits > MAX_VISITS) return
  if (hasBrand(value, futureBrand)) {
    throw new TypeError(
      depth === 0
        ? `${path} is a Future: futures cannot be sent to a worker. Submit through the executor's submit() or ` +
            `submitWith(), which wait for a future passed as an argument and pass its value; inside a task, use ` +
            `currentTask().executor to submit more work and await the futures it returns there.`
        : `${path} is a Future inside an argument: pass it at top level instead, as an argument of its own ` +
            `(submit(fn, future) waits for it and passes its value; a future inside an array or object is not ` +
            `awaited and cannot be sent to a worker), or pass its value. Inside a task, use currentTask().executor ` +
            `to submit more work and await the futures it returns there.`,
    )
  }
  if (hasBrand(value, executorBrand)) {
    throw new TypeError(
      `${path} is an Executor: executors cannot be sent to a worker (Python deadlocks here). ` +
        `Inside a task, use currentTask().executor to submit more work to the same pool.`,
    )
  }
  if (typeof value === 'function') {
    throw new TypeError(
      `${path} is a function (${(value as Fn).name || 'anonymous'}): functions cannot be cloned to a worker. ` +
        `Pass data, or export the function from a module and pass a task(url, name) handle.`,
    )
  }
  if (depth >= MAX_DEPTH || ArrayBuffer.isView(value)) return
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPrimitive(value[i])) check(value[i], `${path}[${String(i)}]`, depth + 1, budget)
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      check(k, `${path} (a Map key)`, depth + 1, budget)
      check(v, `${path}.get(${describeValue(k)})`, depth + 1, budget)
    }
  } else if (value instanceof Set) {
    for (const v of value) check(v, `${path} (a Set item)`, depth + 1, budget)
  } else {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) {
      for (const key of Object.keys(value)) {
        const member = (value as Record<string, unknown>)[key]
        if (!isPrimitive(member)) check(member, `${path}.${key}`, depth + 1, budget)
      }
    }
  }
}
