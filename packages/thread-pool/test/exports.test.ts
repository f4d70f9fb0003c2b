import * as entry from '@x/thread-pool'
import { expect, it } from 'vitest'

it('exports exactly the public API', () => {
  expect(Object.keys(entry).sort()).toEqual(['BrokenThreadPoolError', 'ThreadPoolExecutor', 'WorkerDiedError', 'WorkerExitError', 'threadName'])
})
