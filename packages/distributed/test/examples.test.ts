// The README's examples are files in examples/: each runs against the built package (by name) and
// prints what its comments say, and the README quotes each one verbatim.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const source = (name: string): string => readFileSync(new URL(`../examples/${name}.mjs`, import.meta.url), 'utf8')
const run = (name: string, queue: string): string[] =>
  execFileSync(process.execPath, [new URL(`../examples/${name}.mjs`, import.meta.url).pathname], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, QUEUE: queue, REDIS_URL },
  })
    .trim()
    .split('\n')

describe('README examples', () => {
  it.skipIf(!hasRedis)('progress and stream()', () => {
    expect(run('progress-stream', freshQueue('example'))).toEqual(['3 hashed { done: 3, of: 3 }', '1: one', '2: two', 'generator closed'])
  })

  it('the README quotes every example verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const name of ['progress-stream', 'tasks']) expect(readme, `README.md does not quote examples/${name}.mjs`).toContain(source(name))
  })
})
