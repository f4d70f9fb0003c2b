/** Where commands write: injectable so the tests of helpers need no real process. */
import type { Writable } from 'node:stream'

export interface Output {
  readonly stdout: Writable
  readonly stderr: Writable
}

export const processOutput: Output = { stdout: process.stdout, stderr: process.stderr }

/** Writes one line to stdout. */
export function say(out: Output, line = ''): void {
  out.stdout.write(`${line}\n`)
}

/** The message of an error value, for one-line reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
