// Helpers for the cross-executor tests: typed task handles, a hang guard, report collection.
import diagnosticsChannel from 'node:diagnostics_channel'
import { task } from '@x/future'
import { deadlockChannel } from '@x/diagnostics'
import type { DeadlockReport } from '@x/diagnostics'
import type * as TaskModule from './fixtures/tasks.mjs'

type Tasks = typeof TaskModule

/** A typed handle to an export of fixtures/tasks.mjs (runs inside the pool's workers). */
export function fixture<K extends keyof Tasks>(name: K) {
  return task<Tasks[K]>(new URL('./fixtures/tasks.mjs', import.meta.url), name)
}

/** Settles like `promise`, or rejects once `ms` pass: a hang fails the test instead of stalling it. */
export async function guard<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no outcome after ${String(ms)} ms (a hang)`))
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The error a promise rejects with (fails if it fulfils). */
export async function failure(promise: PromiseLike<unknown>, ms = 15_000): Promise<unknown> {
  try {
    await guard(promise, ms, 'expected failure')
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, but it fulfilled')
}

/** Every report published on `@x/diagnostics:deadlock` while the returned handle is open. */
export function collectReports(): { reports: DeadlockReport[]; close: () => void } {
  const reports: DeadlockReport[] = []
  const onReport = (message: unknown): void => {
    reports.push((message as { report: DeadlockReport }).report)
  }
  diagnosticsChannel.subscribe(deadlockChannel.name, onReport)
  return {
    reports,
    close: () => {
      diagnosticsChannel.unsubscribe(deadlockChannel.name, onReport)
    },
  }
}
