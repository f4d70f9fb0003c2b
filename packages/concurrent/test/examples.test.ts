// The README's tour is made of the files in examples/: each runs against the built package (the
// examples import '@x/concurrent' by name) and prints what its comments say, and the README
// quotes each file verbatim, so the front page cannot drift from what works.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const EXAMPLES = ['tasks', 'submit', 'map', 'as-completed', 'first-exception', 'deadlock'] as const

function run(name: string): Promise<string[]> {
  const file = fileURLToPath(new URL(`../examples/${name}.mjs`, import.meta.url))
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${name}.mjs failed: ${error.message}\n${stderr}`))
      else resolve(stdout.trimEnd().split('\n'))
    })
  })
}

// each example gets 30 s (execFile's timeout, which names the example), within the test's 40 s
describe('README tour (examples/)', { timeout: 40_000 }, () => {
  it('submit: pow(323, 1235) on a thread pool, the digits this test computes itself', async () => {
    const digits = (323n ** 1235n).toString()
    expect(await run('submit')).toEqual([`${String(digits.length)} ${digits.slice(0, 12)}`])
    expect(digits).toHaveLength(3099)
  })

  it('map: Python\'s primes on a process pool, in input order', async () => {
    expect(await run('map')).toEqual([
      '112272535095293 is prime: true',
      '112582705942171 is prime: true',
      '112272535095293 is prime: true',
      '115280095190773 is prime: true',
      '115797848077099 is prime: true',
      '1099726899285419 is prime: false',
    ])
  })

  it('as-completed: futures in the order they finish', async () => {
    expect(await run('as-completed')).toEqual(['nap 100 100', 'nap 200 200', 'nap 300 300'])
  })

  it('first-exception: wait() returns at the first failure', async () => {
    expect(await run('first-exception')).toEqual(['1 2 RangeError: failed after 10 ms'])
  })

  it('deadlock: the maxWorkers-1 starvation is reported, not a hang', async () => {
    const lines = await run('deadlock')
    expect(lines[0]).toBe('starvation')
    expect(lines[1]).toMatch(/^deadlock detected: pool starvation in ThreadPoolExecutor #\d+ /u)
    expect(lines[2]).toBe('flowchart LR')
    expect(lines).toHaveLength(3)
  })

  it('the README quotes every example verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const name of EXAMPLES) {
      const source = readFileSync(new URL(`../examples/${name}.mjs`, import.meta.url), 'utf8').trimEnd()
      expect(readme, `README.md does not quote examples/${name}.mjs`).toContain(source)
    }
  })
})
