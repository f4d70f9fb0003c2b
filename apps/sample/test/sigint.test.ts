// Ctrl-C: spawn the app on long work, send SIGINT once it has started, and check that it cancels,
// shuts its pools down, exits 130, and leaves no worker process behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from './run.js'

let dir: string
const FILES = 6

beforeAll(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'x-sample-sigint-')), 'big')
  mkdirSync(dir)
  // Sparse files: 512 MiB each to hash, no disk space used.
  for (let i = 0; i < FILES; i++) {
    const file = join(dir, `big-${String(i)}.bin`)
    writeFileSync(file, '')
    truncateSync(file, 512 * 1024 * 1024)
  }
})

afterAll(() => {
  rmSync(join(dir, '..'), { recursive: true, force: true })
})

const haveProc = existsSync('/proc/self/stat')

/** Live (not zombie) processes whose parent is `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

/** true when the process is gone (or a zombie, which holds no resources). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

async function allGone(pids: readonly number[], within: number): Promise<number[]> {
  const deadline = Date.now() + within
  for (;;) {
    const alive = pids.filter((p) => !gone(p))
    if (alive.length === 0 || Date.now() > deadline) return alive
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('Ctrl-C (SIGINT)', () => {
  it('from a terminal: SIGINT to the whole process group, pool workers included', async () => {
    let children: number[] = []
    let sent = false
    const r = await run(['hash', dir, '--backend', 'process', '--workers', '2', '--progress'], {
      timeout: 30_000,
      detached: true,
      onStderr(text, child) {
        if (sent || !text.includes(`0/${String(FILES)} (0%)`)) return
        sent = true
        setTimeout(() => {
          if (child.pid === undefined) return
          if (haveProc) children = childrenOf(child.pid)
          process.kill(-child.pid, 'SIGINT') // what the terminal does on Ctrl-C
        }, 300)
      },
    })
    expect(sent, `the app never showed progress:\n${r.stderr}`).toBe(true)
    expect(r.stderr).toContain('Interrupted: cancelling queued tasks')
    expect(r.stderr).toContain('All executors shut down cleanly')
    expect(r.code).toBe(130)
    if (haveProc) {
      expect(children.length, 'the process pool had started no worker').toBeGreaterThan(0)
      expect(await allGone(children, 5000), 'worker processes left running after exit').toEqual([])
    }
  })

  it.each(['process', 'thread', 'async'])('during hash --backend %s: cancels, shuts down, exits 130', async (backend) => {
    let children: number[] = []
    let sent = false
    const r = await run(['hash', dir, '--backend', backend, '--workers', '2', '--progress'], {
      timeout: 30_000,
      onStderr(text, child) {
        if (sent || !text.includes(`0/${String(FILES)} (0%)`)) return
        sent = true
        // Give the pool a moment to start its workers, then interrupt.
        setTimeout(() => {
          if (haveProc && child.pid !== undefined) children = childrenOf(child.pid)
          child.kill('SIGINT')
        }, 300)
      },
    })
    expect(sent, `the app never showed progress:\n${r.stderr}`).toBe(true)
    expect(r.stderr).toContain('Interrupted: cancelling queued tasks and shutting down 1 executor(s)')
    expect(r.stderr).toContain('All executors shut down cleanly')
    expect(r.code).toBe(130)
    expect(r.signal).toBeNull()
    expect(r.stdout.split('\n').filter(Boolean).length).toBeLessThanOrEqual(FILES)
    if (haveProc) {
      if (backend === 'process') expect(children.length, 'the process pool had started no worker').toBeGreaterThan(0)
      expect(await allGone(children, 5000), 'worker processes left running after exit').toEqual([])
    }
  })
})
