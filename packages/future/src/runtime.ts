/**
 * `@x/future/runtime`: the part of `@x/future` a pool's worker needs to run tasks (load and call
 * them, their `currentTask()` context, error serialization, the diagnostics channel names),
 * loadable without the executors, futures and `wait` of the main entry. A fresh worker thread or
 * child process pays for every module it compiles before its first task: this entry is about a
 * fifth of the main one. Its classes and functions are the main entry's own (one copy of the
 * package: `FutureError` from here is `FutureError` from `@x/future`). `executorClasses()` gives
 * `Executor` and `Future` when they are needed (a nested executor): in a worker thread this
 * entry starts loading them as it is evaluated (class-registry.ts).
 *
 * @packageDocumentation
 */
import { loadClassesInThread } from './class-registry.js'

export { loadCallable, invokeCallable, explainCallError, describeCallable, checkArguments } from './callable.js'
export type { Callable, CallableSpec } from './callable.js'
export { currentTask, hooksOffBetweenTasks, withTaskContext } from './context.js'
export type { TaskContext } from './context.js'
export { serializeError, deserializeError } from './serialize-error.js'
export type { SerializedError } from './serialize-error.js'
export { FutureError, ShutdownError } from './errors.js'
export { channelNames } from './diagnostics.js'
export { executorClasses, executorClassesLoading } from './executor-classes.js'
export type { ExecutorClasses } from './executor-classes.js'

// In a worker thread that has not loaded `@x/future`, this entry was imported by a task module
// (a pool's worker links the core file, not this entry): the task may read `currentTask().executor`,
// whose classes then load with import() now, and `loadCallable` waits for them (class-registry.ts).
loadClassesInThread()
