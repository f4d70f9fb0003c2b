// Start markers left behind by parents that died by SIGKILL (with their children) are swept when
// a process starts its first child: only those of dead pids in this pid namespace.
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sweepStaleMarkers } from '../dist/start-marker.js'
import { alive } from './helpers.js'

const folder = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
const ns = ((): string => {
  try {
    const id = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1]
    return id === undefined ? '' : `-ns${id}`
  } catch {
    return ''
  }
})()

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', ''])
  if (pid <= 0 || alive(pid)) throw new Error('could not get the pid of an exited process')
  return pid
}

const scratch = mkdtempSync(path.join(tmpdir(), 'x-marker-sweep-'))
const made: string[] = []
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
  for (const file of made) rmSync(file, { force: true })
})

function touch(dir: string, name: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, Buffer.alloc(8))
  made.push(file)
  return file
}

describe('sweeping stale start markers', () => {
  it("removes a dead pid's markers and leaves live pids', other namespaces' and unknown files alone", () => {
    const dead = deadPid()
    const stale = [touch(scratch, `x-process-pool-${String(dead)}-1${ns}.start`), touch(scratch, `x-process-pool-${String(dead)}-7${ns}.start`)]
    const kept = [
      touch(scratch, `x-process-pool-${String(process.pid)}-1${ns}.start`), // this process
      touch(scratch, `x-process-pool-${String(process.ppid)}-3${ns}.start`), // a live one
      touch(scratch, `x-process-pool-${String(dead)}-2-ns1.start`), // the same number in another pid namespace
      touch(scratch, `x-process-pool-${String(dead)}-1.start.bak`),
      touch(scratch, `other-${String(dead)}-1${ns}.start`),
    ]
    if (ns !== '') kept.push(touch(scratch, `x-process-pool-${String(dead)}-4.start`)) // no namespace: whose is it?
    expect(sweepStaleMarkers(scratch).sort()).toEqual(stale.sort())
    expect(readdirSync(scratch).sort()).toEqual(kept.map((file) => path.basename(file)).sort())
  })

  it('a folder it cannot read sweeps nothing', () => {
    expect(sweepStaleMarkers(path.join(scratch, 'missing'))).toEqual([])
  })

  it("a process's first pool start removes a stale marker of a dead pid, not a live one's", { timeout: 30_000 }, async () => {
    const stale = touch(folder, `x-process-pool-${String(deadPid())}-1${ns}.start`)
    const live = touch(folder, `x-process-pool-${String(process.pid)}-999999${ns}.start`)
    const script = `
      import { ProcessPoolExecutor } from '@x/process-pool'
      const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
      console.log(await pool.submit((x) => x * 2, 21))
      await pool.shutdown()
    `
    const out = await new Promise<string>((resolve, reject) => {
      const options = { cwd: new URL('..', import.meta.url), timeout: 20_000 }
      execFile(process.execPath, ['--input-type=module', '-e', script], options, (error, stdout) => {
        if (error) reject(new Error(`the script failed: ${error.message}`, { cause: error }))
        else resolve(stdout)
      })
    })
    expect(out.trim()).toBe('42')
    expect(existsSync(stale)).toBe(false)
    expect(existsSync(live)).toBe(true)
  })
})
