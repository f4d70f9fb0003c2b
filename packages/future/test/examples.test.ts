// The README's examples are files in examples/: each runs and prints what its comments say, and
// the README quotes each one verbatim.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const run = (name: string): string[] =>
  execFileSync(process.execPath, [new URL(`../examples/${name}.mjs`, import.meta.url).pathname], {
    encoding: 'utf8',
    timeout: 20_000,
  })
    .trim()
    .split('\n')

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README examples', () => {
  it('quickstart', () => {
    expect(run('quickstart')).toEqual([
      '<Future #1 state=pending>',
      '1024',
      '[ 1, 4, 9 ]',
      'sleep 10 10',
      'sleep 20 20',
      'sleep 30 30',
    ])
  })

  it('cancel-and-wait', () => {
    expect(run('cancel-and-wait')).toEqual(['RUNNING PENDING', 'true CANCELLED_AND_NOTIFIED', 'false', 'true true', 'slow'])
  })

  it("the seed's deadlock examples, with timeouts", () => {
    expect(run('deadlock-cycle')).toEqual(['true ERR_FUTURE_TIMEOUT'])
    expect(run('deadlock-starvation')).toEqual([
      'TimeoutError: future #2 was not done after 100 ms (the wait gave up; the task itself goes on)',
    ])
  })

  it('backpressure: maxQueue, onRoom() and map() with buffersize', () => {
    expect(run('backpressure')).toEqual(['true ERR_QUEUE_FULL', '[ 10, 20, 30, 40, 50 ]', '1 4 9 16 25 36 49 64', '40'])
  })

  it('dependencies: futures as arguments', () => {
    expect(run('dependencies')).toEqual([
      'PENDING PENDING',
      'rows of x.csv / ROWS OF X.CSV',
      'true ERR_DEPENDENCY_FAILED no such file',
      'true CANCELLED_AND_NOTIFIED',
    ])
  })

  it('progress and stream() (AsyncPoolExecutor)', () => {
    expect(run('progress')).toEqual(['hashed', '3/3', 'generator closed', '10 9 8 7'])
  })

  it('stats()', () => {
    expect(run('stats')).toEqual([
      '0 4',
      '{"workers":0,"running":0,"queued":0,"completed":3,"failed":1,"cancelled":1}',
      '4 4',
      'true true true',
    ])
  })

  it('the README quotes every example verbatim', () => {
    for (const name of ['quickstart', 'cancel-and-wait', 'deadlock-cycle', 'deadlock-starvation', 'backpressure', 'stats', 'dependencies', 'progress']) {
      const source = readFileSync(new URL(`../examples/${name}.mjs`, import.meta.url), 'utf8').trimEnd()
      expect(readme).toContain(source)
    }
  })
})
