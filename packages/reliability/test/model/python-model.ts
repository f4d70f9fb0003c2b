// A model of Python's concurrent.futures executor semantics (research/cpython-futures.md §1.4,
// §1.7, as DESIGN.md translates them): futures run in submission order on at most maxWorkers
// workers; cancel() succeeds only while PENDING, and an executor acknowledges it at once
// (CANCELLED_AND_NOTIFIED); shutdown({ cancelFutures }) cancels every PENDING future, and
// submit() after shutdown() throws. A gated call finishes only once released; a quick call
// finishes as soon as it gets a worker.

export type ModelState = 'PENDING' | 'RUNNING' | 'CANCELLED_AND_NOTIFIED' | 'FINISHED'

export interface ModelFuture {
  readonly index: number
  readonly gated: boolean
  readonly throws: boolean
  released: boolean
  state: ModelState
}

export class PythonModel {
  readonly futures: ModelFuture[] = []
  shutDown = false

  constructor(readonly maxWorkers: number) {}

  get running(): number {
    return this.futures.filter((f) => f.state === 'RUNNING').length
  }

  /** Free workers once everything that can run has run. */
  get freeWorkers(): number {
    return this.maxWorkers - this.running
  }

  submit(gated: boolean, throws: boolean): ModelFuture {
    const future: ModelFuture = { index: this.futures.length, gated, throws, released: false, state: 'PENDING' }
    this.futures.push(future)
    this.schedule()
    return future
  }

  release(future: ModelFuture): void {
    future.released = true
    if (future.state === 'RUNNING') future.state = 'FINISHED'
    this.schedule()
  }

  /** What cancel() returns. */
  cancel(future: ModelFuture): boolean {
    switch (future.state) {
      case 'PENDING':
        future.state = 'CANCELLED_AND_NOTIFIED'
        this.schedule()
        return true
      case 'CANCELLED_AND_NOTIFIED':
        return true
      case 'RUNNING':
      case 'FINISHED':
        return false
    }
  }

  shutdown(cancelFutures: boolean): void {
    this.shutDown = true
    if (cancelFutures) for (const f of this.futures) if (f.state === 'PENDING') f.state = 'CANCELLED_AND_NOTIFIED'
  }

  done(future: ModelFuture): boolean {
    return future.state === 'FINISHED' || future.state === 'CANCELLED_AND_NOTIFIED'
  }

  /** Starts PENDING futures in submission order while a worker is free; quick or released ones finish at once. */
  schedule(): void {
    let running = this.running
    for (const f of this.futures) {
      if (running >= this.maxWorkers) break
      if (f.state !== 'PENDING') continue
      if (!f.gated || f.released) f.state = 'FINISHED'
      else {
        f.state = 'RUNNING'
        running++
      }
    }
  }
}
