// A task module that imports only @x/future/runtime reaches currentTask().executor: its thread had
// not loaded @x/future's Executor and Future, and must not load them with a require() of an ES
// module (Node 20.20 aborts the whole process when a thread is terminated inside one): the
// runtime entry starts loading them with import() and the worker waits for that before the task
// runs. The script runs with --no-experimental-require-module, which its threads inherit, so any
// require() of an ES module in them throws ERR_REQUIRE_ESM.
import { expect, it } from 'vitest'
import { runScript } from './helpers.js'

it('a task that imports only @x/future/runtime submits nested work, and no thread requires an ES module for it', async () => {
  const { code, stdout, stderr } = await runScript('./fixtures/runtime-only-pool.mjs', ['--no-experimental-require-module'])
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: JSON.stringify({ doubled: 42, executor: 'Executor' }), stderr: '' })
}, 30_000)
