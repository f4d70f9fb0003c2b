/**
 * A local cluster of real `x-worker` processes (the bin of `@x/concurrent`) for the distributed
 * chaos runs: it keeps `size` of them serving one queue, starts a replacement as soon as one
 * dies (a task's `process.exit`, an uncaught error, a SIGKILL from outside), so the outside
 * killer can hit workers while they start, and stops them all at the end.
 *
 * Each process runs in its own process group, so nothing it starts outlives a stop. (The test
 * helpers in scripts/test-utils start their workers the same way; this file is the harness's
 * own, because `pnpm soak` runs it from `dist`, where those helpers may not be imported.)
 *
 * @module
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'

/** `dist/x-worker.js` of the installed `@x/concurrent`. */
export const xWorkerBin = path.join(path.dirname(createRequire(import.meta.url).resolve('@x/concurrent/package.json')), 'dist', 'x-worker.js')

/** How the workers are started. */
export interface ClusterOptions {
  readonly connection: string
  readonly queue: string
  /** The folder the workers load task modules from. */
  readonly root: string
  /** Workers kept alive. */
  readonly size: number
  /** Jobs each worker runs at once. */
  readonly concurrency: number
  /** The local executor of worker `i` (`--backend`). */
  readonly backendOf: (i: number) => 'thread' | 'process' | 'async'
  /** Milliseconds between heartbeats (`--heartbeat`). */
  readonly heartbeat: number
}

interface Member {
  child: ChildProcess
  serving: boolean
  output: string
}

/** x-worker processes serving one queue, replaced as they die until `stop()`. */
export class XWorkerCluster {
  readonly #options: ClusterOptions
  readonly #members = new Map<number, Member>()
  #stopping = false
  /** Workers started in all (replacements included). */
  started = 0
  /** Workers that died before `stop()` (killed, crashed, or ended by a task). */
  deaths = 0

  constructor(options: ClusterOptions) {
    this.#options = options
    for (let i = 0; i < options.size; i++) this.#spawn(i)
  }

  /** Resolves once every slot has a worker that printed its "serving" line (rejects after `ms`). */
  async ready(ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms
    while ([...this.#members.values()].filter((m) => m.serving).length < this.#options.size) {
      if (Date.now() > deadline) throw new Error(`x-workers did not start within ${String(ms)} ms:\n${this.output()}`)
      await delay(20)
    }
  }

  /** The pids of the live worker processes, including those still starting. */
  pids(): number[] {
    return [...this.#members.values()].flatMap((m) => (m.child.pid === undefined ? [] : [m.child.pid]))
  }

  /** The last output of every live worker (for error messages). */
  output(): string {
    return [...this.#members.values()].map((m) => `[${String(m.child.pid)}] ${m.output.slice(-2000)}`).join('\n')
  }

  #spawn(slot: number): void {
    const o = this.#options
    const child = spawn(
      process.execPath,
      [
        xWorkerBin,
        '--connection', o.connection,
        '--queue', o.queue,
        '--root', o.root,
        '--concurrency', String(o.concurrency),
        '--backend', o.backendOf(slot),
        '--heartbeat', String(o.heartbeat),
        '--grace', '5000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    this.started++
    const member: Member = { child, serving: false, output: '' }
    const pid = child.pid
    if (pid === undefined) return
    this.#members.set(pid, member)
    const collect = (data: Buffer): void => {
      member.output = (member.output + data.toString()).slice(-8000)
      if (!member.serving && member.output.includes('serving queue')) member.serving = true
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('exit', () => {
      this.#members.delete(pid)
      if (!this.#stopping) this.deaths++
      // A worker killed while its process group still has children: end them too.
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // the group is gone
      }
      if (!this.#stopping) this.#spawn(slot)
    })
  }

  /**
   * Stops every worker: SIGTERM (each finishes or hands back its jobs and exits 0), then SIGKILL
   * of the process group after `ms`. Resolves with the workers that did not exit 0 by themselves.
   */
  async stop(ms = 10_000): Promise<string[]> {
    this.#stopping = true
    const problems: string[] = []
    await Promise.all(
      [...this.#members.entries()].map(async ([pid, member]) => {
        const exited = new Promise<string>((resolve) => {
          member.child.once('exit', (code, signal) => {
            resolve(String(code ?? signal))
          })
        })
        member.child.kill('SIGTERM')
        const timer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL')
          } catch {
            // gone
          }
        }, ms)
        const how = await exited
        clearTimeout(timer)
        // a worker still starting has no handler for SIGTERM yet: it ends by the signal, as it should
        if (how !== '0' && !(how === 'SIGTERM' && !member.serving))
          problems.push(`x-worker ${String(pid)} ended with ${how} on SIGTERM:\n${member.output.slice(-1000)}`)
      }),
    )
    return problems
  }
}
