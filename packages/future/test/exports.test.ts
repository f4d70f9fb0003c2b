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
})
