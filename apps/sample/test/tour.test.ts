// The tour, end to end: every section runs on the real backends, the pow digits are the ones
// this test computes itself, and both deadlocks come back as reports instead of hangs.
import { execFileSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { run } from './run.js'
import type { RunResult } from './run.js'

/** Python's own example, from the documentation. */
const SEED_POW = `from concurrent.futures import *
with ThreadPoolExecutor(max_workers=1) as executor:
    future = executor.submit(pow, 323, 1235)
    print(future.result())
`

function findPython(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

const python = findPython()

let tour: RunResult
let dot: RunResult

/** The output of section `n` (from its "n. " title line to the next section). */
function section(output: string, n: number): string {
  const start = output.indexOf(`\n${String(n)}. `)
  expect(start, `section ${String(n)} is missing`).toBeGreaterThanOrEqual(0)
  const end = output.indexOf(`\n${String(n + 1)}. `, start + 1)
  return output.slice(start, end === -1 ? undefined : end)
}

beforeAll(async () => {
  // Generous guards against a hang, not deadlines: the tour takes ~12 s on a quiet machine and
  // over 45 s when the two runs share 2 cores with other work.
  // detached: a run killed at its guard takes its x-worker processes (section 8) with it
  const options = { timeout: 150_000, detached: true }
  ;[tour, dot] = await Promise.all([run([], options), run(['tour', '--graph', 'dot'], options)])
}, 180_000)

describe('tour (the default command)', () => {
  it('runs the map across two local x-workers when a Redis answers (under CI=true one must)', () => {
    const text = section(tour.stdout, 8)
    if (process.env.CI === 'true' || !text.includes('skipped: no Redis')) {
      expect(text).toContain('results, in input order: 1 4 9 16 25 36 49 64')
      expect(text).toMatch(/run by: x-worker #1 ran \d(, #2 ran \d)? \(chunks\)/u)
    } else {
      expect(text).toContain('skipped: no Redis answers at')
    }
  })

  it('runs every example and exits 0', () => {
    expect(tour.stderr).toBe('')
    expect(tour.stdout).toContain('All 8 examples ran.')
    expect(tour.code).toBe(0)
  })

  it(`prints pow(323, 1235) from the thread pool exactly as Python prints it (checked against BigInt${python === undefined ? '; python3 not found, so not against Python itself' : ' and python3 itself'})`, () => {
    const expected = (323n ** 1235n).toString()
    expect(expected).toHaveLength(3099)
    const digitLines = section(tour.stdout, 1)
      .split('\n')
      .filter((line) => /^\d+$/u.test(line))
    expect(digitLines).toEqual([expected])
    expect(section(tour.stdout, 1)).toContain('(3,099 digits')
    if (python !== undefined) {
      // The seed program, run by Python: its whole stdout is the one line of digits.
      const printed = execFileSync(python, ['-c', SEED_POW], { encoding: 'utf8', timeout: 20_000 })
      expect(`${digitLines[0] ?? ''}\n`).toBe(printed)
    }
  })

  it('runs map() with chunksize on the process pool, results in input order', () => {
    const text = section(tour.stdout, 2)
    expect(text).toContain('results, in input order: 1 4 9 16 25 36 49 64 81 100')
    const pids = [...text.matchAll(/in pid (\d+)/gu)].map((m) => Number(m[1]))
    expect(pids).toHaveLength(3)
    const own = Number(/this app is pid (\d+)/u.exec(text)?.[1])
    for (const pid of pids) expect(pid, 'a chunk ran in the app itself, not in a child process').not.toBe(own)
  })

  it('shows asCompleted() yielding futures in completion order', () => {
    expect(section(tour.stdout, 3)).toContain(
      'finished:  instant (0 ms), quick (100 ms), medium (200 ms), slow (300 ms)',
    )
  })

  it("catches the two-tasks-waiting-on-each-other deadlock with a cycle report and a graph", () => {
    const text = section(tour.stdout, 4)
    expect(text).toContain('wait_on_b failed with DeadlockError')
    expect(text).toContain('wait_on_a failed with DeadlockError')
    expect(text).toContain("The detector's report (kind: cycle):")
    expect(text).toMatch(/deadlock detected: cycle of 2 tasks/u)
    expect(text).toMatch(/"wait_on_a".* waits for Future #\d+, which is running as Task #\d+ "wait_on_b"/u)
    expect(text).toContain('The wait as a graph (Mermaid):')
    expect(text).toContain('| flowchart LR')
  })

  it('catches the maxWorkers-1 self-starvation with a starvation report and a graph', () => {
    const text = section(tour.stdout, 5)
    expect(text).toContain('wait_on_future failed with DeadlockError')
    expect(text).toContain("The detector's report (kind: starvation):")
    expect(text).toMatch(/pool starvation in ThreadPoolExecutor/u)
    expect(text).toMatch(/"wait_on_future".* waits for Future #\d+ "pow\(5, 2\)", which is queued/u)
    expect(text).toContain('| flowchart LR')
  })

  it('rewrites the starvation with a dependency: the dependent waits holding no worker, then gets the value', () => {
    const text = section(tour.stdout, 6)
    expect(text).toContain('right after submit: report is PENDING and holds no worker')
    expect(text).toMatch(/pow\(5, 2\) = 25, received as an argument in thread \d+$/mu)
    expect(text).not.toContain('FAILED')
  })

  it('submits from inside a process-pool task, where Python would deadlock', () => {
    const text = section(tour.stdout, 7)
    const expected = Array.from({ length: 10 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b)
    const m = /sum = (\d+), computed in pid (\d+); the squares ran in pid ([\d, ]+)$/mu.exec(text)
    if (m === null) throw new Error(`no result line in section 7:\n${text}`)
    expect(Number(m[1])).toBe(expected)
    const app = Number(/this app is pid (\d+)/u.exec(tour.stdout)?.[1])
    const pids = [m[2], ...(m[3] ?? '').split(', ')].map(Number)
    for (const pid of pids) expect(pid, 'work ran in the app itself, not in a child process').not.toBe(app)
  })

  it('draws the graphs as Graphviz DOT with --graph dot', () => {
    expect(dot.code).toBe(0)
    for (const n of [4, 5]) {
      const text = section(dot.stdout, n)
      expect(text).toContain('The wait as a graph (Graphviz DOT):')
      expect(text).toMatch(/\| digraph /u)
      expect(text).not.toContain('flowchart')
    }
  })
})
