// A task module that imports only @x/future/runtime reaches currentTask().executor: its thread had
// not loaded @x/future's Executor and Future, and must not load them with a require() of an ES
// module (Node 20.20 aborts the whole process when a thread is terminated inside one): the
// runtime entry starts loading them with import() and the worker waits for that before the task
// runs. The script runs with --no-experimental-require-module, which its threads inherit, so any
// require() of an ES module in them throws ERR_REQUIRE_ESM; and without it, where the thread
// require()s the task module (inside its load guard) and waits for that load all the same.
import { expect, it } from 'vitest'
import { runScript } from './helpers.js'

it.each([
  ['import()', ['--no-experimental-require-module']],
  ['require() (the thread loads the task module with it, src/thread-entry.cts)', []],
])('a task that imports only @x/future/runtime submits nested work, its module loaded with %s', async (_how, flags) => {
  const { code, stdout, stderr } = await runScript('./fixtures/runtime-only-pool.mjs', flags)
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: JSON.stringify({ doubled: 42, executor: 'Executor' }), stderr: '' })
}, 30_000)
