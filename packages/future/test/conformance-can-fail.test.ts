// The conformance suite is not a rubber stamp: run against a broken executor, it fails.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('fails an executor whose futures refuse cancel()', () => {
  const packageDir = fileURLToPath(new URL('..', import.meta.url))
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url))
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--config', 'test/fixtures/broken/vitest.config.ts', '--reporter=json'],
    { cwd: packageDir, encoding: 'utf8', timeout: 120_000 },
  )
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { numFailedTests: number; numPassedTests: number }
  expect(run.status).not.toBe(0)
  // the cancellation tests fail: cancel(), signal, map timeout, break, shutdown(cancelFutures)
  expect(report.numFailedTests).toBeGreaterThanOrEqual(5)
  expect(report.numPassedTests).toBeGreaterThan(0)
}, 150_000)
