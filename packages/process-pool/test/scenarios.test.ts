// The portable scenarios of research/cpython-futures.md §4, sections D (submit/map), E (shutdown
// and lifecycle) and G (process-pool specifics), numbered as there. Elsewhere: G66 and G69/G70/G80
// in values.test.ts; G67 (adapted: a dying child fails only its own futures), G68, G71 and G77 in
// crash.test.ts. Where DESIGN.md differs from Python the test says how.
import diagnosticsChannel from 'node:diagnostics_channel'
import { execFile } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelledError, channelNames, TimeoutError } from '@x/future'
import type { FutureSubmitEvent } from '@x/future'
import { ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { alive, cleanupLatches, latch, rejection, t, until } from './helpers.js'

let pool: ProcessPoolExecutor

beforeAll(() => {
  pool = new ProcessPoolExecutor({ maxWorkers: 2 })
})

afterAll(async () => {
  await pool.shutdown()
  cleanupLatches()
})

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const v of it) out.push(v)
  return out
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

describe('D: submit and map', () => {
  it('D36 submit(pow, 2, 8) is 256, arguments unchanged', async () => {
    expect(await pool.submit((a: number, b: number) => a ** b, 2, 8)).toBe(256)
    expect(await pool.submit(t('echo'), { kw: [1, 'two'] })).toEqual({ kw: [1, 'two'] })
  })

  it('D37 a task error rejects that future; the pool stays usable', async () => {
    const error = (await rejection(pool.submit(() => {
      throw new Error('x')
    }))) as Error
    expect(error.message).toBe('x')
    expect(await pool.submit(t('square'), 7)).toBe(49)
  })

  it('D38 map(pow) gives results in input order, also with chunksize 3', async () => {
    const expected = range(10).map((i) => i ** i)
    expect(await collect(pool.map((a: number, b: number) => a ** b, range(10), range(10)))).toEqual(expected)
    expect(await collect(pool.map((a: number, b: number) => a ** b, range(10), range(10), { chunksize: 3 }))).toEqual(expected)
  })

  it('D39 zip semantics: the shortest input wins; no inputs gives nothing', async () => {
    expect(await collect(pool.map(t('mul'), [1, 2, 3], [1, 2, 3, 4, 5]))).toEqual([1, 4, 9])
    // in chunks, the shortest input may end in the middle of a chunk and of a tuple
    expect(await collect(pool.map(t('mul'), [1, 2, 3, 4, 5], [1, 2, 3], { chunksize: 2 }))).toEqual([1, 4, 9])
    expect(await collect(pool.map(t('mul'), [1, 2, 3], [1, 2, 3, 4, 5], { chunksize: 4 }))).toEqual([1, 4, 9])
    expect(await collect(pool.map(t('square')))).toEqual([])
  })

  it('D40 map is eager: never iterated, every call still runs before shutdown returns', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    const file = `${latch().path}.record`
    p.map(t('record'), range(10).map(() => file), range(10))
    await p.shutdown()
    const recorded = readFileSync(file, 'utf8').trim().split('\n').map(Number)
    expect(recorded.sort((a, b) => a - b)).toEqual(range(10))
  })

  it('D41 an error mid-iteration throws, then the iterator is done', async () => {
    const it = pool.map(t('divmod'), [1, 1, 1, 1], [2, 3, 0, 5])
    expect(await it.next()).toEqual({ value: [0, 1], done: false })
    expect(await it.next()).toEqual({ value: [0, 1], done: false })
    const error = await rejection(it.next())
    expect((error as Error).message).toBe('integer division or modulo by zero')
    expect(await it.next()).toEqual({ value: undefined, done: true })
  })

  it('D42 the map timeout counts from the map() call', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    try {
      const gate = latch()
      const it = p.map(t('blockUntil'), [`${gate.path}-open`, `${gate.path}-open2`, gate.path], [undefined, undefined, 'late'], {
        timeout: 300,
      })
      // the first two latches never open either: make them exist so those calls return at once
      const { writeFileSync } = await import('node:fs')
      writeFileSync(`${gate.path}-open`, 'x')
      writeFileSync(`${gate.path}-open2`, 'x')
      await new Promise((resolve) => setTimeout(resolve, 400))
      const got: unknown[] = []
      const error = await rejection(
        (async () => {
          for await (const v of it) got.push(v)
        })(),
      )
      expect(error).toBeInstanceOf(TimeoutError)
      expect([[], [undefined], [undefined, undefined]]).toContainEqual(got)
      expect(await it.next()).toEqual({ value: undefined, done: true })
      gate.release()
    } finally {
      await p.shutdown({ cancelFutures: true })
    }
  })

  it('D43 a timed-out map cancels the awaited and queued calls: they never start', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    try {
      const gate = latch()
      const first = p.submit(t('blockUntil'), gate.path, 'first')
      await until(() => gate.started() === 1, 'first to start')
      const it = p.map(t('blockUntil'), [gate.path, gate.path], ['second', 'third'], { timeout: 0 })
      expect(await rejection(it.next())).toBeInstanceOf(TimeoutError)
      await it.return?.()
      gate.release()
      expect(await first).toBe('first')
      await p.shutdown()
      expect(gate.started()).toBe(1)
    } finally {
      await p.shutdown()
    }
  })

  it('D44 closing a started map iterator cancels calls not yet started; an unstarted one cancels nothing', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    const gate = latch()
    const file = `${gate.path}.record`
    // never advanced: every call still runs
    p.map(t('record'), range(6).map(() => file), range(6))
    const blocker = p.submit(t('blockUntil'), gate.path, 'b')
    const closing = p.map(t('record'), range(4).map(() => `${file}2`), range(4))
    await until(() => gate.started() === 1, 'the blocker to start')
    const first = closing.next().catch((error: unknown) => error)
    await closing.return?.()
    gate.release()
    expect(await blocker).toBe('b')
    expect(await first).toEqual({ value: undefined, done: true })
    await p.shutdown()
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(6)
    expect(existsSync(`${file}2`)).toBe(false)
  })

  it('D45 buffersize is validated when map() is called', () => {
    expect(() => pool.map(t('square'), [1], { buffersize: 'foo' as unknown as number })).toThrow(TypeError)
    expect(() => pool.map(t('square'), [1], { buffersize: 2.5 })).toThrow(TypeError)
    expect(() => pool.map(t('square'), [1], { buffersize: 0 })).toThrow(RangeError)
    expect(() => pool.map(t('square'), [1], { buffersize: -1 })).toThrow(/buffersize must be None or > 0/)
  })

  it('D46-D48 buffersize reads inputs lazily; infinite inputs work; every size gives the same results', async () => {
    let consumed = 0
    function* counting(): Generator<number> {
      for (let i = 0; ; i++) {
        consumed = i + 1
        yield i
      }
    }
    pool.map(t('square'), counting(), { buffersize: 2 })
    expect(consumed).toBe(2)
    const first: unknown[] = []
    for await (const v of pool.map((x: number) => String(x), counting(), { buffersize: 2 })) {
      first.push(v)
      if (first.length === 3) break
    }
    expect(first).toEqual(['0', '1', '2'])
    const sums: unknown[] = []
    for await (const v of pool.map((a: number, b: number) => a + b, counting(), counting(), { buffersize: 2 })) {
      sums.push(v)
      if (sums.length === 3) break
    }
    expect(sums).toEqual([0, 2, 4])
    for (const buffersize of [1, 2, 4, 8]) {
      expect(await collect(pool.map((x: number) => String(x), range(4), { buffersize }))).toEqual(['0', '1', '2', '3'])
    }
    expect(await collect(pool.map((x: number) => String(x), [], { buffersize: 2 }))).toEqual([])
  })

  it('D49 with buffersize N at most N+1 results are submitted and not yet taken', async () => {
    let submitted = 0
    const onSubmit = (event: unknown): void => {
      if ((event as FutureSubmitEvent).executorId === pool.id) submitted++
    }
    diagnosticsChannel.subscribe(channelNames.futureSubmit, onSubmit)
    try {
      let taken = 0
      for await (const v of pool.map(t('square'), range(12), { buffersize: 3 })) {
        expect(v).toBe(taken * taken)
        taken++
        expect(submitted - taken).toBeLessThanOrEqual(3 + 1)
      }
      expect(taken).toBe(12)
    } finally {
      diagnosticsChannel.unsubscribe(channelNames.futureSubmit, onSubmit)
    }
  })

  it('D50 chunksize 6, 40 and 50 match a plain map; chunksize 0 or -1 is a RangeError at call time', async () => {
    const expected = range(40).map((i) => i * i)
    for (const chunksize of [6, 40, 50]) {
      expect(await collect(pool.map(t('square'), range(40), { chunksize }))).toEqual(expected)
    }
    expect(() => pool.map(t('square'), [1], { chunksize: 0 })).toThrow(/chunksize must be >= 1\./)
    expect(() => pool.map(t('square'), [1], { chunksize: -1 })).toThrow(RangeError)
  })
})

describe('E: shutdown and lifecycle', () => {
  it('E51 submit after shutdown throws; a second shutdown is harmless', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    await p.shutdown()
    expect(() => p.submit(t('square'), 1)).toThrow('cannot schedule new futures after shutdown')
    await p.shutdown()
  })

  it('E52 shutdown() waits for every queued task; none is cancelled; no child outlives it', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    const fs = range(20).map((i) => p.submit(t('sleep'), 20, i))
    await until(() => p.pids.length > 0, 'a child')
    const pids = new Set<number>()
    const poll = setInterval(() => {
      for (const pid of p.pids) pids.add(pid)
    }, 5)
    await p.shutdown()
    clearInterval(poll)
    expect(fs.every((f) => f.done() && !f.cancelled())).toBe(true)
    expect(await Promise.all(fs)).toEqual(range(20))
    expect([...pids].filter(alive)).toEqual([])
  })

  it('E53 shutdown({ cancelFutures }) cancels the queued ones; the rest finish cleanly', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    const fs = range(20).map((i) => p.submit(t('sleep'), 50, i))
    await until(() => fs.some((f) => f.running()), 'a task to start')
    await p.shutdown({ cancelFutures: true })
    const cancelled = fs.filter((f) => f.cancelled())
    expect(cancelled.length).toBeGreaterThan(10)
    expect(cancelled.length).toBeLessThan(20)
    for (const f of fs.filter((x) => !x.cancelled())) expect(await f.exception()).toBeUndefined()
    for (const f of cancelled) expect(await rejection(f)).toBeInstanceOf(CancelledError)
  })

  it('E54 a finished and a cancelled future, then shutdown() returns', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    expect(await p.submit(t('square'), 2)).toBe(4)
    const gate = latch()
    p.submit(t('blockUntil'), gate.path, 1)
    const queued = p.submit(t('square'), 3)
    expect(queued.cancel()).toBe(true)
    gate.release()
    await p.shutdown()
  })

  it('E55 shutdown({ wait: false }) returns at once; queued tasks still finish; the children exit', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    const fs = range(6).map((i) => p.submit(t('sleep'), 30, i))
    await until(() => p.pids.length > 0, 'a child')
    await p.shutdown({ wait: false })
    const pids = p.pids
    expect(fs.some((f) => !f.done())).toBe(true)
    expect(await Promise.all(fs)).toEqual(range(6))
    await until(() => pids.every((pid) => !alive(pid)), 'the children to exit')
  })

  it('E56 await using waits for outstanding tasks; an error in the block propagates after them', async () => {
    let f: PromiseLike<unknown> & { done(): boolean } = pool.submit(t('square'), 1)
    const error = await rejection(
      (async () => {
        await using p = new ProcessPoolExecutor({ maxWorkers: 1 })
        f = p.submit(t('sleep'), 50, 'slept')
        throw new Error('inside the block')
      })(),
    )
    expect((error as Error).message).toBe('inside the block')
    expect(f.done()).toBe(true)
    expect(await f).toBe('slept')
  })

  it('E57 map over workers+1 items then shutdown() at once does not hang', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    const results = p.map((x: number) => String(x), [2, 2, 2])
    await p.shutdown()
    expect(await collect(results)).toEqual(['2', '2', '2'])
  })

  it('E58 shutdown({ wait: true }) from inside a task fails that task; wait: false works', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    expect(await p.submit(t('shutdownFromTask'), true)).toMatch(/^FutureError: cannot join current thread/)
    expect(() => p.submit(t('square'), 1)).toThrow('cannot schedule new futures after shutdown')
    await p.shutdown()
    const q = new ProcessPoolExecutor({ maxWorkers: 2 })
    expect(await q.submit(t('shutdownFromTask'), false)).toBe('returned')
    expect(() => q.submit(t('square'), 1)).toThrow('cannot schedule new futures after shutdown')
    await q.shutdown()
  })
})

describe('G: process-pool specifics', () => {
  it('G72 maxTasksPerChild=3 with 1 worker replaces the child after 3 tasks; validation', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 3 })
    const pids: number[] = []
    for (let i = 0; i < 4; i++) pids.push((await p.submit(t('pid'))) as number)
    expect(pids[0]).toBe(pids[1])
    expect(pids[1]).toBe(pids[2])
    expect(pids[3]).not.toBe(pids[0])
    expect(p.pids).toHaveLength(1)
    expect(alive(pids[0] ?? 0)).toBe(false)
    await p.shutdown()
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 0 })).toThrow(/max_tasks_per_child must be >= 1/)
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 0 })).toThrow(RangeError)
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 1.5 })).toThrow(TypeError)
  })

  it('G72 maxTasksPerChild also counts tasks sent ahead of time (many short tasks)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 5 })
    const pids = (await Promise.all(range(40).map(() => p.submit(t('pid'))))) as number[]
    const counts = new Map<number, number>()
    for (const pid of pids) counts.set(pid, (counts.get(pid) ?? 0) + 1)
    expect([...counts.values()].every((n) => n <= 5)).toBe(true)
    expect(counts.size).toBeGreaterThanOrEqual(8)
    await p.shutdown()
  })

  it('G73 maxTasksPerChild=1 with 3 workers: 6 tasks, then shutdown', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 3, maxTasksPerChild: 1 })
    const fs = range(6).map((i) => p.submit(t('mul'), i, i))
    await p.shutdown()
    expect(await Promise.all(fs)).toEqual([0, 1, 4, 9, 16, 25])
  })

  it('G74 children start on demand, never more than maxWorkers', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 3 })
    for (let i = 0; i < 3; i++) await p.submit(t('square'), i)
    expect(p.pids).toHaveLength(1)
    const gate = latch()
    const blocked = range(9).map(() => p.submit(t('blockUntil'), gate.path, 0))
    await until(() => gate.started() === 3, 'three tasks to start')
    expect(p.pids).toHaveLength(3)
    gate.release()
    await Promise.all(blocked)
    await p.shutdown()
    const q = new ProcessPoolExecutor({ maxWorkers: 5 })
    const gate2 = latch()
    const three = range(3).map(() => q.submit(t('blockUntil'), gate2.path, 0))
    await until(() => gate2.started() === 3, 'three tasks to start')
    expect(q.pids).toHaveLength(3)
    gate2.release()
    await Promise.all(three)
    await q.shutdown()
  })

  it('G75 (adapted) a task is RUNNING once sent to a child; one task at a time for callables not known to be short', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1 })
    const gates = range(5).map(() => latch())
    const fs = gates.map((g, i) => p.submit(t('blockUntil'), g.path, i))
    await until(() => gates[0]?.started() === 1, 'the first to start')
    expect(fs.map((f) => f.state)).toEqual(['RUNNING', 'PENDING', 'PENDING', 'PENDING', 'PENDING'])
    gates[0]?.release()
    await fs[0]
    await until(() => fs[1]?.running() === true, 'the second to start')
    expect(fs.map((f) => f.state)).toEqual(['FINISHED', 'RUNNING', 'PENDING', 'PENDING', 'PENDING'])
    expect(fs[1]?.cancel()).toBe(false)
    expect(fs[4]?.cancel()).toBe(true)
    const done = p.shutdown({ cancelFutures: true })
    expect(fs.map((f) => f.state)).toEqual(['FINISHED', 'RUNNING', 'CANCELLED_AND_NOTIFIED', 'CANCELLED_AND_NOTIFIED', 'CANCELLED_AND_NOTIFIED'])
    gates[1]?.release()
    await done
    expect(await fs[1]).toBe(1)
  })

  // (Python's third case, an unknown operation name giving ValueError, has no equivalent: they are two methods.)
  it('G76 terminateWorkers() and killWorkers() end the children at once; submit is refused after', async () => {
    for (const [method, signal] of [
      ['terminateWorkers', 'SIGTERM'],
      ['killWorkers', 'SIGKILL'],
    ] as const) {
      const p = new ProcessPoolExecutor({ maxWorkers: 2 })
      const gate = latch()
      const running = p.submit(t('blockUntil'), gate.path, 'never')
      const queued = range(4).map(() => p.submit(t('blockUntil'), gate.path, 'queued'))
      await until(() => gate.started() === 2, 'two tasks to start')
      const pids = p.pids
      await p[method]()
      const error = (await rejection(running)) as ProcessExitError
      expect(error).toBeInstanceOf(ProcessExitError)
      expect(error.signal).toBe(signal)
      expect(queued.filter((f) => f.cancelled()).length).toBeGreaterThanOrEqual(3)
      expect(pids.filter(alive)).toEqual([])
      expect(() => p.submit(t('square'), 1)).toThrow('cannot schedule new futures after shutdown')
      await p.shutdown()
    }
    const never = new ProcessPoolExecutor({ maxWorkers: 2 })
    await never.terminateWorkers()
    await never.killWorkers()
    expect(never.pids).toEqual([])
  })

  it('G78 100 rapid submits through map right after construction', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    expect(await collect(p.map((x: number) => Math.trunc(x), range(100)))).toEqual(range(100))
    await p.shutdown()
  })

  it('G79 maxTasksPerChild=1 with a failing task: iteration stops at the error; shutdown(wait: false) does not hang', async () => {
    for (const maxWorkers of [2, 4]) {
      const p = new ProcessPoolExecutor({ maxWorkers, maxTasksPerChild: 1 })
      let sum = 0
      const error = await rejection(
        (async () => {
          for await (const v of p.map((x: number) => {
            if (x === 2) throw new RangeError('bad')
            return x
          }, [1, 2, 3])) sum += v
        })(),
      )
      expect((error as Error).message).toBe('bad')
      expect(sum).toBe(1)
      await p.shutdown({ wait: false })
      await p.shutdown()
    }
  })

  it('no child process outlives shutdown() or killWorkers() (checked by pid)', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 2 })
    await Promise.all(range(4).map(() => p.submit(t('sleep'), 10, 0)))
    const pids = p.pids
    expect(pids.length).toBe(2)
    expect(pids.every(alive)).toBe(true)
    await p.shutdown()
    expect(pids.filter(alive)).toEqual([])
    const q = new ProcessPoolExecutor({ maxWorkers: 2 })
    await Promise.all(range(4).map(() => q.submit(t('sleep'), 10, 0)))
    const qpids = q.pids
    await q.killWorkers()
    expect(qpids.filter(alive)).toEqual([])
  })

  it('idleTimeout ends idle children; new work starts a new one', async () => {
    const p = new ProcessPoolExecutor({ maxWorkers: 1, idleTimeout: 50 })
    const first = (await p.submit(t('pid'))) as number
    await until(() => !alive(first) && p.pids.length === 0, 'the idle child to end')
    const second = (await p.submit(t('pid'))) as number
    expect(second).not.toBe(first)
    await p.shutdown()
  })

  it('an idle pool does not keep the process alive, and its children go with it', async () => {
    const script = `
      import { ProcessPoolExecutor } from '@x/process-pool'
      const pool = new ProcessPoolExecutor({ maxWorkers: 2 })
      const results = await Promise.all([1, 2, 3].map((n) => pool.submit((x) => x * 2, n)))
      console.log(JSON.stringify({ results, pids: pool.pids }))
    `
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), timeout: 20_000 }, (error, stdout) => {
        if (error) reject(new Error(`the script failed: ${error.message}`, { cause: error }))
        else resolve(stdout)
      })
    })
    const { results, pids } = JSON.parse(out) as { results: number[]; pids: number[] }
    expect(results).toEqual([2, 4, 6])
    await until(() => pids.every((pid) => !alive(pid)), 'the orphaned children to exit')
  })
})
