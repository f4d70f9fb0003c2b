// AsyncPoolExecutor specifics, and scenarios D/E of research/cpython-futures.md §4 that apply to
// an in-thread executor (the rest run in the conformance suite).
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  AsyncPoolExecutor,
  CancelledError,
  Executor,
  type Future,
  type FutureError,
  currentTask,
  task,
  wait,
} from '../src/index.js'
import { gate, rejection, sleep } from './helpers.js'

const distIndex = new URL('../dist/index.js', import.meta.url).href

describe('AsyncPoolExecutor', () => {
  it('validates maxWorkers with Python\'s message and defaults to min(32, cpus + 4)', async () => {
    for (const bad of [0, -1]) {
      expect(() => new AsyncPoolExecutor({ maxWorkers: bad })).toThrow(RangeError)
      expect(() => new AsyncPoolExecutor({ maxWorkers: bad })).toThrow('max_workers must be greater than 0')
    }
    expect(() => new AsyncPoolExecutor({ maxWorkers: 1.5 })).toThrow(TypeError)
    expect(() => new AsyncPoolExecutor({ maxWorkers: '2' as never })).toThrow(TypeError)
    expect(() => new AsyncPoolExecutor({ workers: 2 } as never)).toThrow(/unknown option "workers"/)
    const { availableParallelism } = await import('node:os')
    await using ex = new AsyncPoolExecutor()
    expect(ex.maxWorkers).toBe(Math.min(32, availableParallelism() + 4))
    expect(ex).toBeInstanceOf(Executor)
    expect(ex.kind).toBe('async')
  })

  it('runs at most maxWorkers at once, in submission order (FIFO)', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 3 })
    let running = 0
    let peak = 0
    const started: number[] = []
    const fs = Array.from({ length: 20 }, (_, i) =>
      ex.submit(async () => {
        started.push(i)
        peak = Math.max(peak, ++running)
        await sleep(2)
        running--
        return i
      }),
    )
    expect(await Promise.all(fs.map((f) => f.result()))).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(peak).toBe(3)
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('currentTask() has only the documented fields as own enumerable properties: console.log and JSON.stringify show no internals', async () => {
    const { inspect } = await import('node:util')
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const seen = await ex.submitWith({ name: 'look' }, (x: number) => {
      const context = currentTask()
      if (context === undefined) throw new Error('no task context')
      return { keys: Object.keys(context), x, shown: inspect(context, { depth: 0 }), id: typeof context.id, name: context.name, same: context.executor === ex }
    }, 3)
    expect(seen).toEqual({ keys: ['executor'], x: 3, shown: 'AsyncTask { executor: [AsyncPoolExecutor] }', id: 'number', name: 'look', same: true })
  })

  it('currentTask() is the running task everywhere inside it (awaits, timers, immediates, ticks, microtasks, nested promises and submits), while tasks interleave', async () => {
    // 12 tasks at once, and a slot to spare for the one each submits and awaits
    await using ex = new AsyncPoolExecutor({ maxWorkers: 13 })
    const seen = (): number | undefined => currentTask()?.id
    const later = <T>(schedule: (done: () => void) => void, read: () => T): Promise<T> =>
      new Promise((resolve) => {
        schedule(() => {
          resolve(read())
        })
      })
    const probe = async (): Promise<(number | undefined)[]> => [
      seen(),
      await Promise.resolve().then(seen),
      await later((done) => {
        setTimeout(done, 1)
      }, seen),
      await later((done) => {
        setImmediate(done)
      }, seen),
      await later((done) => {
        process.nextTick(done)
      }, seen),
      await later((done) => {
        queueMicrotask(done)
      }, seen),
      await sleep(1).then(() => later((done) => setTimeout(done, 1), seen)),
      await currentTask()?.executor.submit(seen),
      seen(),
    ]
    const fs = Array.from({ length: 12 }, () => ex.submit(probe))
    const inner = (await Promise.all(fs.map((f) => f.result()))).map((ids, i) => {
      const own = fs[i]?.id
      expect(ids.filter((id, k) => k !== 7 && id !== own)).toEqual([])
      return ids[7]
    })
    // each nested submit ran as its own task
    expect(new Set(inner).size).toBe(12)
    expect(inner.every((id) => id !== undefined && !fs.some((f) => f.id === id))).toBe(true)
    expect(currentTask()).toBeUndefined()
  })

  it('20,000 queued synchronous tasks run without growing the stack', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const fs = Array.from({ length: 20_000 }, (_, i) => ex.submit((x: number) => x + 1, i))
    const values = await Promise.all(fs.map((f) => f.result()))
    expect(values[19_999]).toBe(20_000)
  })

  it('runs closures and synchronous functions; a task does not start inside submit()', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const outside = { count: 0 }
    const f = ex.submit(() => ++outside.count)
    expect(f.state).toBe('PENDING')
    expect(f.cancel()).toBe(true)
    const g = ex.submit(() => ++outside.count)
    expect(await g).toBe(1)
    const h = ex.submit(() => {
      throw new SyntaxError('sync throw')
    })
    expect(await rejection(h.result())).toBeInstanceOf(SyntaxError)
  })

  it('runs task(url, name) handles by importing the module', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const handle = task<(s: string) => string>(new URL('./fixtures/tasks.mjs', import.meta.url), 'shout')
    expect(await ex.submit(handle, 'hi')).toBe('HI!')
    const out: string[] = []
    for await (const value of ex.map(handle, ['a', 'b', 'c'], { chunksize: 2 })) out.push(value)
    expect(out).toEqual(['A!', 'B!', 'C!'])
    const missing = task(new URL('./fixtures/tasks.mjs', import.meta.url), 'nope')
    expect(String(await rejection(ex.submit(missing).result()))).toMatch(/has no export named "nope".*shout/)
  })

  it('shutdown({ wait: true }) from one of its own tasks fails that call and shuts the executor down', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const release = gate()
    const other = ex.submit(() => release.promise.then(() => 'other'))
    const inner = ex.submit(async () => {
      await currentTask()?.executor.shutdown({ wait: true })
    })
    const error = (await rejection(inner.result())) as FutureError
    expect(error.message).toContain('cannot join current thread')
    expect(error.code).toBe('ERR_SHUTDOWN_FROM_TASK')
    expect(() => ex.submit(() => 1)).toThrow('cannot schedule new futures after shutdown')
    release.open()
    expect(await other).toBe('other')
    const fromTaskNoWait = new AsyncPoolExecutor({ maxWorkers: 1 })
    expect(await fromTaskNoWait.submit(async () => (await currentTask()?.executor.shutdown({ wait: false }), 'ok'))).toBe('ok')
    await ex.shutdown()
    await fromTaskNoWait.shutdown()
  })

  it('an error inside the await using block propagates after the tasks finished (E56)', async () => {
    let f: Future<string> | undefined
    const error = await rejection(
      (async () => {
        await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
        f = ex.submit(() => sleep(20).then(() => 'done'))
        throw new Error('inside the block')
      })(),
    )
    expect((error as Error).message).toBe('inside the block')
    expect(f?.state).toBe('FINISHED')
  })

  it('shutdown validates its options', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    await expect(ex.shutdown({ cancel: true } as never)).rejects.toThrow(/unknown option "cancel"/)
    await ex.shutdown()
  })

  it('an aborted signal at submit cancels at once; submitWith validates options', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const f = ex.submitWith({ signal: AbortSignal.abort() }, () => 1)
    expect(f.cancelled()).toBe(true)
    expect(await rejection(f.result())).toBeInstanceOf(CancelledError)
    expect((await wait([f], { timeout: 0 })).done.has(f)).toBe(true)
    expect(() => ex.submitWith({ signal: 'x' as never }, () => 1)).toThrow(TypeError)
    expect(() => ex.submitWith({ nme: 'x' } as never, () => 1)).toThrow(/unknown option "nme"/)
    expect(ex.submitWith({ name: 'labelled' }, () => 1).name).toBe('labelled')
  })

  it('keeps each queued call with its arguments (none, one array, several) and skips the ones cancelled meanwhile', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const release = gate()
    const ran: string[] = []
    const blocker = ex.submit(() => release.promise)
    const none = ex.submit((...rest: unknown[]) => (ran.push('none'), rest.length))
    const array = ex.submit((list: number[]) => (ran.push('array'), list), [1, 2])
    const dropped = ex.submit(() => ran.push('dropped'))
    const signal = new AbortController()
    const aborted = ex.submitWith({ signal: signal.signal }, () => ran.push('aborted'))
    const several = ex.submit((a: number, b: number, c: number) => (ran.push('several'), a + b + c), 1, 2, 3)
    await sleep(0)
    expect(ex.stats().queued).toBe(5)
    expect(dropped.cancel()).toBe(true)
    signal.abort()
    expect(ex.stats().queued).toBe(3)
    // wait() and asCompleted() learn of both at once
    expect((await wait([dropped, aborted], { timeout: 0 })).done.size).toBe(2)
    release.open()
    expect(await Promise.all([blocker, none, array, several])).toEqual([undefined, 0, [1, 2], 6])
    expect(ran).toEqual(['none', 'array', 'several'])
    expect(await rejection(aborted)).toBeInstanceOf(CancelledError)
  })

  it('an idle executor does not keep the process alive; queued work does', () => {
    const idle = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { AsyncPoolExecutor } from '${distIndex}'
        const ex = new AsyncPoolExecutor({ maxWorkers: 2 })
        await ex.submit(async () => 1)
        console.log('idle')`],
      { encoding: 'utf8', timeout: 10_000 },
    )
    expect(idle.error).toBeUndefined()
    expect(idle.status).toBe(0)
    expect(idle.stdout.trim()).toBe('idle')
    const busy = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { AsyncPoolExecutor } from '${distIndex}'
        const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
        ex.submit(() => new Promise((r) => setTimeout(r, 50))).then(() => console.log('first'))
        ex.submit(() => 'second').then((v) => console.log(v))`],
      { encoding: 'utf8', timeout: 10_000 },
    )
    expect(busy.status).toBe(0)
    expect(busy.stdout.trim().split('\n')).toEqual(['first', 'second'])
  })

  it('100,000 tasks leave no growth in the heap once done', { timeout: 90_000 }, () => {
    // Run in a child with --expose-gc so that collections are explicit and nothing else shares the heap.
    const script = `import { AsyncPoolExecutor } from '${distIndex}'
      const ex = new AsyncPoolExecutor({ maxWorkers: 8 })
      const round = async () => {
        const fs = []
        for (let i = 0; i < 100000; i++) fs.push(ex.submit(async (n) => n * 2, i))
        let sum = 0
        for (const f of fs) sum += await f
        return sum
      }
      const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed }
      await round()
      const before = heap()
      for (let i = 0; i < 3; i++) await round()
      const after = heap()
      console.log(JSON.stringify({ before, after, sum: await round() }))`
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 80_000,
    })
    expect(child.stderr).toBe('')
    const { before, after, sum } = JSON.parse(child.stdout) as { before: number; after: number; sum: number }
    expect(sum).toBe(99999 * 100000)
    // 300,000 more tasks ran between the two measurements; retained growth must stay under 1 MiB
    // (a leak of even 4 bytes per task would exceed it).
    expect(after - before).toBeLessThan(1024 * 1024)
  })
})

