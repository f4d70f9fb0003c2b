// Threads terminated at random moments of their start and first tasks (a pool's shutdown, with
// and without cancelFutures, and the process's exit) never abort the process. Node 20.20 aborts
// it (SIGABRT, `FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module`)
// when a thread is terminated inside a require() of an ES module: the pool's threads require() ES
// modules only inside their load guard, and the pool terminates a thread only outside one
// (src/load-guard.ts, thread-entry.cts). The fixtures run as child processes against
// dist; a failing seed can be run again by hand: `node test/fixtures/terminate/stress.mjs 15 <seed>`.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

function run(script: string, args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const file = fileURLToPath(new URL(`./fixtures/terminate/${script}`, import.meta.url))
    const child = execFile(process.execPath, [file, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode ?? error?.signal ?? null, stdout, stderr })
    })
  })
}

it.each([1, 2, 3])('pools shut down at random moments of their threads starting and loading (seed %i): no abort', { timeout: 90_000 }, async (seed) => {
  const r = await run('stress.mjs', ['15', String(seed)])
  expect(r.stderr).not.toContain('FATAL')
  expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: 0, signal: null, stdout: 'ok 15' })
})

it.each([1, 2, 3])('pools shut down while their threads start and require() a graph of 400 ES modules (seed %i): no abort', { timeout: 120_000 }, async (seed) => {
  const r = await run('require-graph.mjs', ['40', String(seed)])
  expect(r.stderr).not.toContain('FATAL')
  expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: 0, signal: null, stdout: 'ok 40' })
})

it('the process exits while its pool threads start and load their task modules: exit code 3, no abort', { timeout: 90_000 }, async () => {
  const results = []
  for (let seed = 0; seed < 8; seed++) results.push(await run('exit-while-starting.mjs', [String(seed)]))
  for (const r of results) {
    expect(r.stderr).not.toContain('FATAL')
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 3, signal: null })
  }
})
