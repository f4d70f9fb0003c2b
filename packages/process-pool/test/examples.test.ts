// The README's examples are files in examples/: each runs and prints what its comments say, and
// the README quotes each one verbatim.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const run = (name: string): string[] =>
  execFileSync(process.execPath, [new URL(`../examples/${name}.mjs`, import.meta.url).pathname], {
    encoding: 'utf8',
    timeout: 30_000,
  })
    .trim()
    .split('\n')

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README examples', () => {
  it('progress and stream()', () => {
    expect(run('progress-stream')).toEqual([
      '333338333350000n',
      '{ done: 100000, of: 100000 }',
      '1000000 999999 999998 999997',
    ])
  })

  it('the README quotes every example verbatim', () => {
    for (const name of ['progress-stream', 'tasks']) {
      const source = readFileSync(new URL(`../examples/${name}.mjs`, import.meta.url), 'utf8').trimEnd()
      expect(readme).toContain(source)
    }
  })
})
