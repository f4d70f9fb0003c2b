// An idle pool never keeps the process alive: a child process that uses a pool and never shuts
// it down must exit by itself.
import { expect, it } from 'vitest'
import { runScript } from './helpers.js'

it('an idle pool does not keep the process alive (the child exits by itself, its work done)', async () => {
  const result = await runScript('./fixtures/uses-pool.mjs')
  expect(result.signal).toBeNull()
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({ results: [3, 42], workers: 2 })
})
