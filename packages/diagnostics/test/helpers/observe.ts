// Test helpers: watch the diagnostics channels, small promise utilities.
import diagnosticsChannel from 'node:diagnostics_channel'
import { channelNames } from '@x/future'
import { deadlockChannel } from '@x/diagnostics'
import type { DeadlockReport } from '@x/diagnostics'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A promise with its resolve function outside (a gate the test opens). */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Rejects when `promise` takes longer than `ms` (a hang is a failure, not a wait forever). */
export async function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not settle within ${String(ms)} ms`))
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, guard])
  } finally {
    clearTimeout(timer)
  }
}

/** `'pending'` or the state after giving the event loop a few turns. */
export async function settledWithin(promise: PromiseLike<unknown>, ms: number): Promise<'fulfilled' | 'rejected' | 'pending'> {
  try {
    await within(promise, ms, 'promise')
    return 'fulfilled'
  } catch (error) {
    return error instanceof Error && error.message.startsWith('promise did not settle') ? 'pending' : 'rejected'
  }
}

/** Collects every report published on `@x/diagnostics:deadlock` until `stop()`. */
export function watchDeadlocks(): { reports: DeadlockReport[]; stop: () => void } {
  const reports: DeadlockReport[] = []
  const listener = (message: unknown): void => {
    reports.push((message as { report: DeadlockReport }).report)
  }
  diagnosticsChannel.subscribe(deadlockChannel.name, listener)
  return {
    reports,
    stop: () => {
      diagnosticsChannel.unsubscribe(deadlockChannel.name, listener)
    },
  }
}

export interface Recorded {
  readonly channel: string
  readonly event: Record<string, unknown>
}

/** Records every event of every @x/future channel and the deadlock channel, in order. */
export function recordEvents(): { events: Recorded[]; stop: () => void } {
  const events: Recorded[] = []
  const names = [...Object.values(channelNames), String(deadlockChannel.name)]
  const listeners = names.map((name) => {
    const listener = (message: unknown): void => {
      events.push({ channel: name.replace('@x/future:', '').replace('@x/diagnostics:', ''), event: message as Record<string, unknown> })
    }
    diagnosticsChannel.subscribe(name, listener)
    return () => diagnosticsChannel.unsubscribe(name, listener)
  })
  return {
    events,
    stop: () => {
      for (const stop of listeners) stop()
    },
  }
}

/** A value set later (a future referenced by a task submitted before it): throws if read too early. */
export class Later<T> {
  #value: T | undefined
  #set = false
  readonly #what: string

  constructor(what: string) {
    this.#what = what
  }

  get value(): T {
    if (!this.#set) throw new Error(`${this.#what} was read before it was set`)
    return this.#value as T
  }

  set value(next: T) {
    this.#value = next
    this.#set = true
  }
}

/** `value`, or a failed test naming what was missing. */
export function must<T>(value: T | undefined, what = 'value'): T {
  if (value === undefined) throw new Error(`expected ${what}, got undefined`)
  return value
}
