import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { task } from '@x/future'
import type { Task } from '@x/future'

export const tasksUrl = new URL('./fixtures/tasks.mjs', import.meta.url)

/** A handle to an export of fixtures/tasks.mjs. */
export function t(name: string): Task {
  return task(tasksUrl, name)
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls `condition` every 10 ms; throws (naming `what`) after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The rejection of `promise` (fails if it resolves). */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

let dir: string | undefined
let counter = 0

/** A file latch: tasks blocked in blockUntil(path) go on once release() creates the file. */
export function latch(): { path: string; release: () => void; started: () => number } {
  const folder = (dir ??= mkdtempSync(join(tmpdir(), 'x-process-pool-')))
  const path = join(folder, `latch-${String(++counter)}`)
  const base = path.slice(folder.length + 1)
  return {
    path,
    release: () => {
      writeFileSync(path, 'go')
    },
    started: () => readdirSync(folder).filter((f) => f.startsWith(`${base}.started-`)).length,
  }
}

export function cleanupLatches(): void {
  if (dir !== undefined && existsSync(dir)) rmSync(dir, { recursive: true, force: true })
  dir = undefined
}

