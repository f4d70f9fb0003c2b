// The public surface of @x/future: every runtime export and its kind. A change here is an API change.
import { describe, expect, it } from 'vitest'

const kinds = (module: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.keys(module).sort().map((key) => [key, typeof module[key]]))

describe('exports', () => {
  it('@x/future', async () => {
    expect(kinds(await import('@x/future'))).toMatchInlineSnapshot(`
      {
        "ALL_COMPLETED": "string",
        "AsyncPoolExecutor": "function",
        "BrokenExecutorError": "function",
        "CancelledError": "function",
        "DependencyError": "function",
        "Executor": "function",
        "FIRST_COMPLETED": "string",
        "FIRST_EXCEPTION": "string",
        "Future": "function",
        "FutureError": "function",
        "InvalidStateError": "function",
        "QueueFullError": "function",
        "ShutdownError": "function",
        "TimeoutError": "function",
        "asCompleted": "function",
        "channelNames": "object",
        "channels": "object",
        "checkArguments": "function",
        "currentTask": "function",
        "describeCallable": "function",
        "describeValue": "function",
        "deserializeError": "function",
        "explainCallError": "function",
        "hooksOffBetweenTasks": "function",
        "invokeCallable": "function",
        "isFuture": "function",
        "isSerializedError": "function",
        "isTask": "function",
        "loadCallable": "function",
        "newWaitId": "function",
        "reportProgress": "function",
        "serializeError": "function",
        "streamArguments": "function",
        "task": "function",
        "wait": "function",
        "withTaskContext": "function",
      }
    `)
  })

  it('@x/future/testing', async () => {
    expect(kinds(await import('@x/future/testing'))).toMatchInlineSnapshot(`
      {
        "describeExecutorConformance": "function",
        "recordAndWait": "function",
        "recordTask": "function",
        "waitForLatch": "function",
      }
    `)
  })

  it('@x/future/runtime: the main entry\'s own functions and classes', async () => {
    const runtime = await import('@x/future/runtime')
    const main = (await import('@x/future')) as Record<string, unknown>
    expect(kinds(runtime)).toMatchInlineSnapshot(`
      {
        "FutureError": "function",
        "ShutdownError": "function",
        "channelNames": "object",
        "checkArguments": "function",
        "currentTask": "function",
        "describeCallable": "function",
        "deserializeError": "function",
        "executorClasses": "function",
        "executorClassesLoading": "function",
        "explainCallError": "function",
        "hooksOffBetweenTasks": "function",
        "invokeCallable": "function",
        "loadCallable": "function",
        "serializeError": "function",
        "withTaskContext": "function",
      }
    `)
    for (const [key, value] of Object.entries(runtime)) if (key in main) expect(value).toBe(main[key])
    expect(runtime.executorClasses()).toEqual({ Executor: main.Executor, Future: main.Future })
  })

  it('@x/future/runtime: in a thread that loaded only it, importing it starts loading the main entry with import(), never require(): executorClasses() then gives the same classes', async () => {
    const { Worker } = await import('node:worker_threads')
    // (--no-experimental-require-module: a require() of an ES module throws ERR_REQUIRE_ESM here)
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads')
      import('@x/future/runtime').then(async (runtime) => {
        let early
        try {
          runtime.executorClasses()
          early = 'loaded'
        } catch (error) {
          early = error.code
        }
        for (let i = 0; i < 500; i++) {
          try {
            const classes = runtime.executorClasses()
            const main = await import('@x/future')
            return parentPort.postMessage({ early, same: classes.Executor === main.Executor && classes.Future === main.Future })
          } catch (error) {
            if (error.code !== 'ERR_EXECUTOR_CLASSES_NOT_LOADED') throw error
            await new Promise((resolve) => setTimeout(resolve, 10))
          }
        }
        parentPort.postMessage({ early, same: 'never loaded' })
      })`,
      { eval: true, execArgv: ['--no-experimental-require-module'] },
    )
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    // right after the import the classes are still loading (a task module's worker waits for them)
    expect(result).toEqual({ early: 'ERR_EXECUTOR_CLASSES_NOT_LOADED', same: true })
  })
})
