import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { task } from '@x/future'
import type { Executor } from '@x/future'
import { afterAll, afterEach } from 'vitest'

import type * as TaskModule from './fixtures/tasks.mjs'

type Tasks = typeof TaskModule

/** A typed handle to an export of fixtures/tasks.mjs. */
export function fixture<K extends keyof Tasks>(name: K) {
  return task<Tasks[K]>(new URL('./fixtures/tasks.mjs', import.meta.url), name)
}

let dir: string | undefined
let counter = 0

/** A file latch: tasks poll for the file; release() creates it. */
export function latch(): { path: string; release: () => void; exists: () => boolean } {
  dir ??= mkdtempSync(join(tmpdir(), 'x-thread-pool-'))
  const path = join(dir, `latch-${String(++counter)}`)
  return { path, release: () => { writeFileSync(path, 'go'); }, exists: () => existsSync(path) }
}

export function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve()
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(poll, 2)
    }
    poll()
  })
}

export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, but it resolved')
}

const open: Executor[] = []

/** Registers an executor to be shut down after the test. */
export function track<E extends Executor>(executor: E): E {
  open.push(executor)
  return executor
}

afterEach(async () => {
  const executors = open.splice(0)
  await Promise.all(executors.map((executor) => executor.shutdown({ wait: true, cancelFutures: true })))
})

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

/** Runs a fixture script in a child process (killed after 20 s); its exit, output and signal. */
export function runScript(script: string, nodeArgs: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...nodeArgs, fileURLToPath(new URL(script, import.meta.url))], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr, signal: error?.signal ?? null })
    })
  })
}
