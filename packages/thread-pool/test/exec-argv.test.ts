// Worker threads get the parent's Node options, less those that would make a thread run
// something else than its entry: from a `node --input-type=module --eval` parent, Node's default
// (the execArgv as is) stops every thread from starting with ERR_INPUT_TYPE_NOT_ALLOWED.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const entry = new URL('../dist/index.js', import.meta.url).href

describe('ThreadPoolExecutor execArgv', () => {
  it("starts threads from a `node --input-type=module --eval` parent, with the parent's other options", () => {
    const script = `
      import { ThreadPoolExecutor } from ${JSON.stringify(entry)}
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 })
      const seen = await pool.submit(() => process.execArgv)
      await pool.shutdown()
      console.log(JSON.stringify({ parent: process.execArgv, thread: seen }))
    `
    const result = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '--eval', script], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    })
    expect(result.status, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout) as { parent: string[]; thread: string[] }
    expect(out.parent).toEqual(expect.arrayContaining(['--input-type=module', '--eval']))
    expect(out.thread).toEqual(['--no-warnings'])
  })
})
