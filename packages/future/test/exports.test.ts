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

  it('@x/future/runtime: executorClasses() in a thread that loaded only it loads the main entry, the same classes', async () => {
    const { Worker } = await import('node:worker_threads')
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads')
      import('@x/future/runtime').then(async (runtime) => {
        const classes = runtime.executorClasses()
        const main = await import('@x/future')
        parentPort.postMessage(classes.Executor === main.Executor && classes.Future === main.Future)
      })`,
      { eval: true },
    )
    const same = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    expect(same).toBe(true)
  })
})
