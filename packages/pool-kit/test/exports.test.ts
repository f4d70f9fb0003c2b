import { expect, it } from 'vitest'
import * as api from '@x/pool-kit'
import * as worker from '@x/pool-kit/worker'

it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CLAIM_CANCELLED",
      "CLAIM_PENDING",
      "CLAIM_RUNNING",
      "CallableTable",
      "ClaimWords",
      "FifoQueue",
      "PoolEngine",
      "SendWindow",
      "SerializationError",
      "StartBackoff",
      "WorkerDiedError",
      "checkWorkerLifecycle",
      "describeExit",
      "inheritedExecArgv",
      "isPoolMessage",
      "labelledArguments",
      "newWorkItem",
      "openPoolStream",
      "packCallColumns",
      "packColumn",
      "packTuples",
      "runtimeCoreUrl",
      "splitDeadWorker",
      "streamSinkOption",
      "unpackColumn",
    ]
  `)
  expect(Object.keys(worker).sort()).toMatchInlineSnapshot(`
    [
      "CallableCache",
      "PROGRESS_INTERVAL_MS",
      "ProgressSender",
      "ResultBuffer",
      "StreamPump",
      "WorkerRuntime",
      "WorkerTaskContext",
      "forwardWaits",
      "monotonicMs",
      "newNestedExecutor",
      "runCall",
    ]
  `)
})
