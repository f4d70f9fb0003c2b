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

describe('threadExecArgv (the threads execArgv)', () => {
  it("leaves Node's inheritance alone when nothing must be dropped (V8 options such as --expose-gc are inherited, never refused)", async () => {
    const { threadExecArgv } = await import('../src/exec-argv.js')
    expect(threadExecArgv(['--expose-gc', '--max-old-space-size=64'])).toBeUndefined()
  })

  it('under --eval keeps the loader, condition and warning options a thread accepts, and drops V8 options', async () => {
    const { threadExecArgv } = await import('../src/exec-argv.js')
    expect(
      threadExecArgv(['--expose-gc', '--import', 'tsx', '--max-old-space-size=64', '-C', 'dev', '--no-warnings', '--input-type=module', '--eval', 'x']),
    ).toEqual(['--import', 'tsx', '-C', 'dev', '--no-warnings'])
  })

  it('starts threads in a parent run with --expose-gc and --max-old-space-size (options a Worker refuses when given explicitly)', () => {
    const script = `
      import { ThreadPoolExecutor } from ${JSON.stringify(entry)}
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 })
      console.log(await pool.submit((a) => a + 1, 41))
      await pool.shutdown()
    `
    for (const options of [['--expose-gc', '--max-old-space-size=256'], ['--expose-gc', '--input-type=module', '--eval']]) {
      const args = options.includes('--eval') ? [...options, script] : [...options, '--input-type=module', '--eval', script]
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' })
      expect(result.status, `${options.join(' ')}: ${result.stderr}`).toBe(0)
      expect(result.stdout.trim()).toBe('42')
    }
  })
})
