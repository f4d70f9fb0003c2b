// Nested work inside remote tasks: a waiting task lends its slot, so one worker cannot starve.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { task } from '@x/future'
import { DistributedExecutor } from '@x/distributed'
import { startProcess } from '../../../scripts/test-utils/processes.mjs'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, startWorker, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const tasks = new URL('tasks.mjs', root)
const outer = task<(n: number) => number>(tasks, 'outer')
const echo = task<(value: string) => string>(tasks, 'echo')
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(tasks, 'recordThenWait')
const submitOne = fileURLToPath(new URL('./fixtures/submit-one.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'x-nested-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

/** Runs `name(...args)` from a submitting process of its own; resolves once it has submitted. */
async function submitFromOwnProcess(queue: string, name: string, args: unknown[]) {
  const started = await startProcess(submitOne, [queue, root.href, name, JSON.stringify(args)], /submitted (\d+)/, `submitter of ${name}`)
  return { futureId: Number(started.ready[1]), exited: started.exited, output: started.output }
}

describe.skipIf(!hasRedis)('nested work', () => {
  it("the seed's starvation example completes on one worker of concurrency 1 (the waiting task lends its slot)", async () => {
    const queue = freshQueue('starve')
    await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root })
    expect(await ex.submit(outer, 5).result(20_000)).toBe(26)
    expect(await Promise.all([1, 2, 3].map((n) => ex.submit(outer, n)))).toEqual([2, 5, 10])
  })

  it('lends the slot of the right task when jobs of two submitting processes have the same future id', async () => {
    // Every process numbers its futures from 1: A and B below both have id 1. A worker that told
    // its remote tasks apart by that id let B's end erase A's record, and A's wait on its nested
    // job then lent nothing: with the other slot held by C, A starved until C ended.
    const queue = freshQueue('same-id')
    await startWorker({ queue, concurrency: 2 })
    const [fileA, latchA, fileC, latchC] = ['a', 'a.go', 'c', 'c.go'].map((name) => join(dir, `${queue}-${name}`)) as [string, string, string, string]
    const a = await submitFromOwnProcess(queue, 'recordThenOuter', [fileA, latchA, 3])
    await until(() => existsSync(fileA) && readFileSync(fileA, 'utf8') !== '', 'A to start')
    const b = await submitFromOwnProcess(queue, 'echo', ['b'])
    expect(b.futureId).toBe(a.futureId)
    expect(await b.exited).toBe(0)
    expect(b.output()).toContain('result "b"')

    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root })
    // C must not have id 1 too (then A's wait would find C's record, by the same mistake): this
    // process's first future is the echo
    expect(await ex.submit(echo, 'first').result(20_000)).toBe('first')
    const c = ex.submit(recordThenWait, fileC, latchC, 'c')
    expect(c.id).not.toBe(a.futureId)
    await until(() => existsSync(fileC) && readFileSync(fileC, 'utf8') !== '', 'C to hold the other slot')
    writeFileSync(latchA, '')
    // A's submitting process gives up after 20 s (result(20_000)) and exits 1 with the error
    expect(await a.exited, a.output()).toBe(0)
    expect(a.output()).toContain('result 10')
    writeFileSync(latchC, '')
    expect(await c.result(20_000)).toBe('c')
  })
})
