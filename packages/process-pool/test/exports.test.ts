import { expect, it } from 'vitest'
import * as api from '@x/process-pool'
import { BrokenExecutorError, Executor, FutureError } from '@x/future'

it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "BrokenProcessPoolError",
      "ProcessExitError",
      "ProcessPoolExecutor",
      "SerializationError",
      "WorkerDiedError",
    ]
  `)
})

it('the error classes extend the @x/future ones and carry codes', () => {
  const broken = new api.BrokenProcessPoolError('x')
  expect(broken).toBeInstanceOf(BrokenExecutorError)
  expect(broken.code).toBe('ERR_BROKEN_PROCESS_POOL')
  expect(broken.name).toBe('BrokenProcessPoolError')
  const exit = new api.ProcessExitError('x', { exitCode: 3, signal: undefined, pid: 1 })
  expect(exit).toBeInstanceOf(FutureError)
  expect(exit.code).toBe('ERR_PROCESS_EXITED')
  expect(new api.SerializationError('x').code).toBe('ERR_PROCESS_POOL_SERIALIZATION')
  expect(api.ProcessPoolExecutor.prototype).toBeInstanceOf(Executor)
})
