// A scripted backend: publishes the @x/future diagnostics events by hand, exactly as an executor
// would, so the detector can be driven through precise event sequences without real pools.
import { channels, newWaitId } from '@x/future'
import type { WaitEndEvent, WaitStartEvent } from '@x/future'

let nextId = 1_000_000

export interface ScriptedWait {
  readonly waitId: number
  /** The error the detector rejected this wait with, if any. */
  rejected: Error | undefined
  end(reason?: WaitEndEvent['reason']): void
}

export interface ScriptedExecutor {
  readonly id: number
  readonly name: string
  /** How many workers were lent and not given back. */
  lent: number
  lends: number
}

export interface LendPolicy {
  /** How many workers this executor lends at most (default 0: it cannot lend). */
  readonly cap?: number
}

/** A fake backend. Ids are far above the real ones, so nothing collides with real futures. */
export class Script {
  readonly waits: ScriptedWait[] = []

  executor(maxWorkers: number, name = `Scripted #${String(nextId)}`, policy: LendPolicy = {}): ScriptedExecutor {
    const executor: ScriptedExecutor = { id: nextId++, name, lent: 0, lends: 0 }
    channels.executorCreate.publish({
      executorId: executor.id,
      kind: 'scripted',
      name,
      maxWorkers,
      lendWorker: () => {
        if (executor.lent >= (policy.cap ?? 0)) return undefined
        executor.lent++
        executor.lends++
        let given = false
        return () => {
          if (given) return
          given = true
          executor.lent--
        }
      },
    })
    return executor
  }

  /** Submits a task; returns its future id (= task id). */
  submit(executor: ScriptedExecutor, name?: string, callerTaskId?: number): number {
    const futureId = nextId++
    channels.futureSubmit.publish({ futureId, executorId: executor.id, name, callerTaskId })
    return futureId
  }

  start(executor: ScriptedExecutor, futureId: number, workerId: number): void {
    channels.futureStart.publish({ futureId, executorId: executor.id, workerId })
  }

  /** Submit and start at once: a running task. */
  run(executor: ScriptedExecutor, workerId: number, name?: string): number {
    const id = this.submit(executor, name)
    this.start(executor, id, workerId)
    return id
  }

  finish(futureId: number, failed = false): void {
    channels.futureFinish.publish({ futureId, failed })
  }

  cancel(futureId: number): void {
    channels.futureCancel.publish({ futureId })
  }

  shutdown(executor: ScriptedExecutor, wait: boolean, callerTaskId?: number): void {
    channels.executorShutdown.publish({ executorId: executor.id, wait, cancelFutures: false, callerTaskId })
  }

  workerExit(executor: ScriptedExecutor, workerId: number, futureIds: number[]): void {
    channels.workerExit.publish({ executorId: executor.id, workerId, exitCode: 1, signal: undefined, futureIds })
  }

  /** A hand-made future id: never submitted, so its resolver is unknown. */
  handMade(): number {
    return nextId++
  }

  wait(
    taskId: number | undefined,
    futureIds: number[],
    options: { mode?: 'all' | 'any'; timeout?: number; stack?: string } = {},
  ): ScriptedWait {
    const waitId = newWaitId()
    let ended = false
    const wait: ScriptedWait = {
      waitId,
      rejected: undefined,
      end: (reason = 'settled') => {
        if (ended) return
        ended = true
        channels.waitEnd.publish({ waitId, reason } satisfies WaitEndEvent)
      },
    }
    const event: WaitStartEvent = {
      waitId,
      taskId,
      futureIds,
      mode: options.mode ?? 'all',
      timeout: options.timeout,
      stack: options.stack ?? `    at scripted wait ${String(waitId)} (file:///app/tasks.js:1:1)`,
      reject: (error) => {
        if (ended) return
        wait.rejected = error
        wait.end('rejected')
      },
    }
    channels.waitStart.publish(event)
    this.waits.push(wait)
    return wait
  }

  /** Ends every open wait (test cleanup). */
  endAll(): void {
    for (const wait of this.waits) wait.end()
  }
}

/** Lets queued microtasks (the detector's reject) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
