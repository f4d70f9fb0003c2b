// An idle pool never keeps the process alive: a child process that uses a pool and never shuts
// it down must exit by itself.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr, signal: error?.signal ?? null })
    })
  })
}

it('an idle pool does not keep the process alive (the child exits by itself, its work done)', async () => {
  const result = await run('./fixtures/uses-pool.mjs')
  expect(result.signal).toBeNull()
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({ results: [3, 42], workers: 2 })
})
