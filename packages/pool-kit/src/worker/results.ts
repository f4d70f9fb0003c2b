/**
 * Results on their way back: a batch collects them, and a result that cannot be copied fails
 * its own task alone with a {@link SerializationError} (the others still go).
 *
 * @module
 */
import { serializeError } from '@x/future/runtime'
import { SerializationError } from '../errors.js'
import type { FromWorker, ResultBatch } from '../protocol.js'
import { messageOf } from './nested.js'
import type { WorkerLink } from './nested.js'

/**
 * Results gathered for one message.
 * @since 0.1.0
 */
export class ResultBuffer {
  /** The tasks' future ids. */
  ids: number[] = []
  /** Their values, or serialized errors. */
  values: unknown[] = []
  /** Indexes of the errors. */
  failed: number[] = []
  /** Their names (for messages). */
  names: (string | undefined)[] = []
  /** Time spent running them, ms. */
  busyMs = 0

  /** How many results are waiting. */
  get size(): number {
    return this.ids.length
  }

  /** Adds a task's result (`ok`) or its error (already serialized). */
  add(id: number, name: string | undefined, ok: boolean, value: unknown, tookMs: number): void {
    if (!ok) this.failed.push(this.ids.length)
    this.ids.push(id)
    this.values.push(value)
    this.names.push(name)
    this.busyMs += tookMs
  }

  /** Whether task `id`'s result is waiting here. */
  has(id: number): boolean {
    return this.ids.includes(id)
  }

  /** Sends the results and empties the buffer; an uncopyable result fails its task alone. */
  flush(link: WorkerLink): void {
    if (this.ids.length === 0) return
    // (one result that went well, the usual case of a call after another: the link's short form)
    // (nothing of the buffer is handed out: it is emptied in place, no arrays made per call)
    if (this.ids.length === 1 && this.failed.length === 0 && link.sendResult !== undefined) {
      try {
        link.sendResult(this.ids[0] ?? 0, this.values[0], this.busyMs)
        this.ids.length = 0
        this.values.length = 0
        this.names.length = 0
        this.busyMs = 0
        return
      } catch {
        // it cannot be copied (nothing was sent): as below, it fails alone
      }
    }
    const meanMs = this.busyMs / this.ids.length
    // (no failed column when all went well: one key and one array less to copy)
    const batch: ResultBatch = this.failed.length === 0 ? { ids: this.ids, values: this.values, meanMs } : { ids: this.ids, values: this.values, failed: this.failed, meanMs }
    const names = this.names
    this.ids = []
    this.values = []
    this.failed = []
    this.names = []
    this.busyMs = 0
    try {
      link.send({ type: 'results', ...batch })
      return
    } catch {
      // some result cannot be copied: find it, send the rest
    }
    const failed = new Set(batch.failed)
    batch.ids.forEach((id, i) => {
      let value = batch.values[i]
      let ok = !failed.has(i)
      if (ok) {
        try {
          // (node:v8 loads only here, on this rare path, not with every worker's start)
          process.getBuiltinModule('node:v8').serialize(value)
        } catch (error) {
          ok = false
          value = serializeError(unsendableResult(link, id, names[i], error))
        }
      }
      const one: FromWorker = ok ? { type: 'results', ids: [id], values: [value], meanMs: batch.meanMs } : { type: 'results', ids: [id], values: [value], failed: [0], meanMs: batch.meanMs }
      try {
        link.send(one)
      } catch (error) {
        link.send({ type: 'results', ids: [id], values: [serializeError(error)], failed: [0], meanMs: batch.meanMs })
      }
    })
  }
}

function unsendableResult(link: WorkerLink, id: number, name: string | undefined, error: unknown): SerializationError {
  const what = name === undefined ? `task #${String(id)}` : `task "${name}" (#${String(id)})`
  return new SerializationError(
    `the result of ${what} cannot be sent back ${link.resultRoute ?? `to ${link.peer}`}: ${messageOf(error)}. ` +
      `Return data that Node's advanced serialization can copy (primitives, BigInt, plain objects, ` +
      `arrays, Map, Set, Date, RegExp, typed arrays, errors); not functions, symbols or class instances with native state.`,
    { cause: error, code: link.serializationCode },
  )
}
