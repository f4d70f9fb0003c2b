// Property-based: random interleavings of submit / cancel / result with timeouts / wait in each
// mode / asCompleted / map with random chunksize, buffersize and a failing call / shutdown with
// random options, on AsyncPoolExecutor and both pools, checked step by step against a model of
// Python's semantics (test/model/python-model.ts). Properties run through @fast-check/vitest's
// `it.prop` (fixed seed; MODEL_SEED / MODEL_RUNS to hunt); a counterexample it finds and shrinks
// is kept as a regular test of its own.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe } from 'vitest'
import { fc, it } from '@fast-check/vitest'
import { AsyncPoolExecutor } from '@x/future'
import type { Executor } from '@x/future'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { commandArbitraries, runModel } from './model/commands.js'

const gateRoot = mkdtempSync(path.join(tmpdir(), 'x-model-'))
afterAll(() => {
  rmSync(gateRoot, { recursive: true, force: true })
})

const backends: [string, (maxWorkers: number) => Executor, number][] = [
  ['AsyncPoolExecutor', (maxWorkers) => new AsyncPoolExecutor({ maxWorkers }), 60],
  ['ThreadPoolExecutor', (maxWorkers) => new ThreadPoolExecutor({ maxWorkers }), 12],
  ['ProcessPoolExecutor', (maxWorkers) => new ProcessPoolExecutor({ maxWorkers }), 8],
]

describe.each(backends)('%s against the Python model', (_, make, numRuns) => {
  it.prop([fc.integer({ min: 1, max: 3 }), fc.commands(commandArbitraries, { maxCommands: 14 })], {
    numRuns: Number(process.env.MODEL_RUNS ?? numRuns),
    seed: Number(process.env.MODEL_SEED ?? 16),
  })(
    'random command sequences',
    async (maxWorkers, commands) => {
      await runModel(make, maxWorkers, commands, gateRoot)
    },
    120_000,
  )
})
