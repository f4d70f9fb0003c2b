// Children get the parent's Node options by default, as Node's fork() gives them (so a loader
// such as tsx, or an --import hook, reaches them), less the options that would make a child run
// something else than its entry; `execArgv` replaces them.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const entry = new URL('../dist/index.js', import.meta.url).href

/** Runs `script` in a fresh `node <options> --input-type=module --eval script`; returns its stdout. */
function runWith(options: string[], script: string): string {
  const result = spawnSync(process.execPath, [...options, '--input-type=module', '--eval', script], {
    encoding: 'utf8',
    timeout: 20_000,
  })
  expect(result.status, result.stderr).toBe(0)
  return result.stdout
}

const reportChildOptions = (poolOptions: string) => `
  import { ProcessPoolExecutor } from ${JSON.stringify(entry)}
  const pool = new ProcessPoolExecutor({ maxWorkers: 1, ${poolOptions} })
  const seen = await pool.submit(() => ({ execArgv: process.execArgv }))
  await pool.shutdown()
  console.log(JSON.stringify({ parent: process.execArgv, child: seen.execArgv }))
`

describe('ProcessPoolExecutor execArgv', () => {
  it("defaults to the parent's options, without the --eval (and its --input-type) that ran the parent", () => {
    const out = JSON.parse(runWith(['--max-old-space-size=123', '--no-warnings'], reportChildOptions(''))) as {
      parent: string[]
      child: string[]
    }
    expect(out.parent).toEqual(expect.arrayContaining(['--max-old-space-size=123', '--eval']))
    expect(out.child).toEqual(['--max-old-space-size=123', '--no-warnings'])
  })

  it('an explicit execArgv replaces them', () => {
    const out = JSON.parse(runWith(['--max-old-space-size=123'], reportChildOptions("execArgv: ['--no-deprecation']"))) as {
      child: string[]
    }
    expect(out.child).toEqual(['--no-deprecation'])
  })
})
