// fast-check commands driving a real executor and the Python model side by side. After every
// command the executor is given time to reach the state the model predicts (pools answer from
// other threads and processes), and then every future's state must equal the model's; each
// call's own return value or error is checked against the model too.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { expect } from 'vitest'
import { fc } from '@fast-check/vitest'
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  TimeoutError,
  asCompleted,
  task,
  wait,
} from '@x/future'
import type { Executor, Future, ReturnWhen } from '@x/future'
import type * as Tasks from '../../fixtures/model-tasks.mjs'
import { PythonModel } from './python-model.js'
import type { ModelFuture } from './python-model.js'

const url = new URL('../../fixtures/model-tasks.mjs', import.meta.url)
export const gated = task<typeof Tasks.gated>(url, 'gated')
export const quick = task<typeof Tasks.quick>(url, 'quick')
export const squareOrThrow = task<typeof Tasks.squareOrThrow>(url, 'squareOrThrow')

export interface Real {
  readonly executor: Executor
  readonly futures: Future<number>[]
  readonly gateDir: string
}

type Command = fc.AsyncCommand<PythonModel, Real>

/** Waits until every real future is in its model state (or `ms` pass), then asserts it. */
export async function settle(model: PythonModel, real: Real, ms = 5000): Promise<void> {
  const expected = model.futures.map((f) => f.state)
  const actual = (): string[] => real.futures.map((f) => f.state)
  const deadline = Date.now() + ms
  while (Date.now() < deadline && actual().some((s, i) => s !== expected[i])) await delay(1)
  expect(actual()).toEqual(expected)
}

/** Checks that a done future's outcome is the one its call has in the model. */
async function expectOutcome(model: ModelFuture, future: Future<number>, timeout: number | undefined): Promise<void> {
  if (model.state === 'CANCELLED_AND_NOTIFIED') {
    await expect(future.result(timeout)).rejects.toBeInstanceOf(CancelledError)
  } else if (model.state !== 'FINISHED') {
    await expect(future.result(timeout)).rejects.toBeInstanceOf(TimeoutError)
    await expect(future.exception(timeout)).rejects.toBeInstanceOf(TimeoutError)
  } else if (model.throws) {
    const error = await future.exception(timeout)
    expect(error).toBeInstanceOf(RangeError)
    expect((error as Error).message).toBe(`model failure ${String(model.index)}`)
    await expect(future.result(timeout)).rejects.toBe(error)
  } else {
    await expect(future.result(timeout)).resolves.toBe(model.index * 10)
    await expect(future.exception(timeout)).resolves.toBeUndefined()
  }
}

/** The real future of a model future. */
function realOf(real: Real, future: ModelFuture): Future<number> {
  const f = real.futures[future.index]
  if (f === undefined) throw new RangeError(`no real future #${String(future.index)}`)
  return f
}

const pickOf = <T>(items: readonly T[], pick: number): T => {
  const item = items[pick % items.length]
  if (item === undefined) throw new RangeError('empty')
  return item
}

class Submit implements Command {
  constructor(
    readonly gatedCall: boolean,
    readonly throws: boolean,
  ) {}
  check = (): boolean => true
  async run(model: PythonModel, real: Real): Promise<void> {
    const index = model.futures.length
    const submit = (): Future<number> =>
      this.gatedCall
        ? real.executor.submit(gated, index, real.gateDir, this.throws)
        : real.executor.submit(quick, index, this.throws)
    if (model.shutDown) {
      expect(submit).toThrow('cannot schedule new futures after shutdown')
      return
    }
    real.futures.push(submit())
    model.submit(this.gatedCall, this.throws)
    await settle(model, real)
  }
  toString = (): string => `submit(${this.gatedCall ? 'gated' : 'quick'}${this.throws ? ', throws' : ''})`
}

class Release implements Command {
  constructor(readonly pick: number) {}
  check = (model: PythonModel): boolean => model.futures.some((f) => f.gated && !f.released)
  async run(model: PythonModel, real: Real): Promise<void> {
    const future = pickOf(
      model.futures.filter((f) => f.gated && !f.released),
      this.pick,
    )
    writeFileSync(path.join(real.gateDir, String(future.index)), '')
    model.release(future)
    await settle(model, real)
  }
  toString = (): string => `release(${String(this.pick)})`
}

class Cancel implements Command {
  constructor(readonly pick: number) {}
  check = (model: PythonModel): boolean => model.futures.length > 0
  async run(model: PythonModel, real: Real): Promise<void> {
    const future = pickOf(model.futures, this.pick)
    const actual = (realOf(real, future)).cancel()
    expect(actual).toBe(model.cancel(future))
    await settle(model, real)
  }
  toString = (): string => `cancel(${String(this.pick)})`
}

class Result implements Command {
  constructor(
    readonly pick: number,
    readonly timeout: number,
  ) {}
  check = (model: PythonModel): boolean => model.futures.length > 0
  async run(model: PythonModel, real: Real): Promise<void> {
    const future = pickOf(model.futures, this.pick)
    await expectOutcome(future, realOf(real, future), this.timeout)
  }
  toString = (): string => `result(${String(this.pick)}, ${String(this.timeout)})`
}

const subsetOf = (model: PythonModel, picks: readonly number[]): ModelFuture[] => picks.map((p) => pickOf(model.futures, p))

class Wait implements Command {
  constructor(
    readonly picks: readonly number[],
    readonly returnWhen: ReturnWhen,
    readonly timeout: number,
  ) {}
  check = (model: PythonModel): boolean => model.futures.length > 0
  async run(model: PythonModel, real: Real): Promise<void> {
    const subset = subsetOf(model, this.picks)
    const realFuture = (f: ModelFuture): Future<number> => realOf(real, f)
    const everyDone = subset.every((f) => model.done(f))
    const { done, notDone } = await wait(subset.map(realFuture), everyDone ? { returnWhen: this.returnWhen } : { returnWhen: this.returnWhen, timeout: this.timeout })
    const ids = (s: Set<Future<number>>): number[] => [...s].map((f) => f.id).sort((a, b) => a - b)
    const expectedDone = new Set(subset.filter((f) => model.done(f)).map(realFuture))
    const expectedNotDone = new Set(subset.filter((f) => !model.done(f)).map(realFuture))
    expect(ids(done)).toEqual(ids(expectedDone))
    expect(ids(notDone)).toEqual(ids(expectedNotDone))
    await expect(wait(subset.map(realFuture), { returnWhen: 'SOMETIMES' as ReturnWhen, timeout: 0 })).rejects.toThrow(/^Invalid return condition/)
  }
  toString = (): string => `wait([${this.picks.join(',')}], ${this.returnWhen}, ${String(this.timeout)})`
}

class AsCompleted implements Command {
  constructor(
    readonly picks: readonly number[],
    readonly timeout: number,
  ) {}
  check = (model: PythonModel): boolean => model.futures.length > 0
  async run(model: PythonModel, real: Real): Promise<void> {
    const subset = [...new Set(subsetOf(model, this.picks))]
    const yielded: number[] = []
    let thrown: unknown
    try {
      for await (const f of asCompleted(
        this.picks.map((p) => realOf(real, pickOf(model.futures, p))),
        { timeout: this.timeout },
      ))
        yielded.push(f.id)
    } catch (error) {
      thrown = error
    }
    const doneIds = subset.filter((f) => model.done(f)).map((f) => realOf(real, f).id)
    expect([...yielded].sort((a, b) => a - b)).toEqual(doneIds.sort((a, b) => a - b))
    expect(new Set(yielded).size).toBe(yielded.length)
    const unfinished = subset.length - doneIds.length
    if (unfinished === 0) expect(thrown).toBeUndefined()
    else {
      expect(thrown).toBeInstanceOf(TimeoutError)
      expect((thrown as Error).message).toBe(`${String(unfinished)} (of ${String(subset.length)}) futures unfinished`)
    }
  }
  toString = (): string => `asCompleted([${this.picks.join(',')}], ${String(this.timeout)})`
}

class MapCall implements Command {
  constructor(
    readonly n: number,
    readonly throwAt: number,
    readonly chunksize: number | undefined,
    readonly buffersize: number | undefined,
  ) {}
  // Map calls queue behind the futures: run one only when it can finish.
  check = (model: PythonModel): boolean => !model.shutDown && model.freeWorkers > 0
  async run(_model: PythonModel, real: Real): Promise<void> {
    const xs = Array.from({ length: this.n }, (_, i) => i)
    const options = {
      timeout: 30_000,
      ...(this.chunksize === undefined ? {} : { chunksize: this.chunksize }),
      ...(this.buffersize === undefined ? {} : { buffersize: this.buffersize }),
    }
    const results: number[] = []
    let thrown: unknown
    const iterator = real.executor.map(squareOrThrow, xs, xs.map(() => this.throwAt), options)
    try {
      for await (const value of iterator) results.push(value)
    } catch (error) {
      thrown = error
    }
    const fails = this.throwAt < this.n
    // An error fails its whole chunk: the results before it in that chunk are lost (as in Python).
    const kept = !fails ? this.n : this.throwAt - (this.chunksize === undefined ? 0 : this.throwAt % this.chunksize)
    expect(results).toEqual(xs.slice(0, kept).map((x) => x * x))
    if (fails) {
      expect(thrown).toBeInstanceOf(RangeError)
      expect((thrown as Error).message).toBe(`map failure at ${String(this.throwAt)}`)
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined })
    } else expect(thrown).toBeUndefined()
  }
  toString = (): string =>
    `map(n=${String(this.n)}, throwAt=${String(this.throwAt)}, chunksize=${String(this.chunksize)}, buffersize=${String(this.buffersize)})`
}

class Shutdown implements Command {
  constructor(readonly cancelFutures: boolean) {}
  check = (model: PythonModel): boolean => !model.shutDown
  async run(model: PythonModel, real: Real): Promise<void> {
    void real.executor.shutdown({ wait: false, cancelFutures: this.cancelFutures })
    model.shutdown(this.cancelFutures)
    await settle(model, real)
  }
  toString = (): string => `shutdown({ wait: false, cancelFutures: ${String(this.cancelFutures)} })`
}

const pick = fc.nat(1000)
const returnWhen = fc.constantFrom<ReturnWhen>(FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED)

/** Every command, with random arguments. */
export const commandArbitraries: fc.Arbitrary<Command>[] = [
  fc.tuple(fc.boolean(), fc.boolean()).map(([g, t]) => new Submit(g, t)),
  fc.tuple(fc.boolean(), fc.boolean()).map(([g, t]) => new Submit(g, t)),
  pick.map((p) => new Release(p)),
  pick.map((p) => new Cancel(p)),
  fc.tuple(pick, fc.constantFrom(0, 2)).map(([p, t]) => new Result(p, t)),
  fc.tuple(fc.array(pick, { minLength: 1, maxLength: 4 }), returnWhen, fc.constantFrom(0, 2)).map(([ps, rw, t]) => new Wait(ps, rw, t)),
  fc.tuple(fc.array(pick, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 2)).map(([ps, t]) => new AsCompleted(ps, t)),
  fc
    .tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 15 }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }))
    .map(([n, t, c, b]) => new MapCall(n, t, c, b)),
  fc.boolean().map((c) => new Shutdown(c)),
]

/** Runs one command sequence on a fresh executor, then releases everything and checks the end state. */
export async function runModel(
  make: (maxWorkers: number) => Executor,
  maxWorkers: number,
  commands: Iterable<Command>,
  gateRoot: string,
): Promise<void> {
  const gateDir = path.join(gateRoot, `run-${String(Date.now())}-${String(Math.random()).slice(2)}`)
  mkdirSync(gateDir, { recursive: true })
  const model = new PythonModel(maxWorkers)
  const real: Real = { executor: make(maxWorkers), futures: [], gateDir }
  try {
    await fc.asyncModelRun(() => ({ model, real }), commands)
  } finally {
    for (const f of model.futures) if (f.gated && !f.released) writeFileSync(path.join(gateDir, String(f.index)), '')
    await real.executor.shutdown({ wait: true })
  }
  for (const f of model.futures) model.release(f)
  await settle(model, real)
  for (const f of model.futures) await expectOutcome(f, realOf(real, f), 0)
}
