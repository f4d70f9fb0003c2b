// The README's reports come from examples/report-kinds.mjs: run it, so they stay real.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const cwd = fileURLToPath(new URL('..', import.meta.url))
const run = (format: string): string => {
  const child = spawnSync(process.execPath, ['examples/report-kinds.mjs', format], { cwd, encoding: 'utf8', timeout: 15_000 })
  expect(child.error).toBeUndefined()
  expect(child.stderr).toBe('')
  expect(child.status).toBe(0)
  return child.stdout
}

describe('examples/report-kinds.mjs', () => {
  it('prints a report of every kind', { timeout: 20_000 }, () => {
    const text = run('text')
    for (const line of [
      '===== cycle =====\ndeadlock detected: cycle of 2 tasks in io',
      '===== starvation =====\ndeadlock detected: pool starvation in cpu (1/1 slots, all held by blocked tasks)',
      '===== self-wait =====\ndeadlock detected: Task #5 "narcissus" waits for its own future',
      '===== shutdown-from-task =====\ndeadlock detected: Task #6 "closer" called shutdown({ wait: true }) on its own executor own',
    ]) {
      expect(text).toContain(line)
    }
    expect(text).toContain('    at wait_on_a (file://')
    expect(run('dot')).toContain('digraph deadlock {')
    expect(run('mermaid')).toContain('flowchart LR')
    expect(run('snapshot')).toContain('[DEADLOCKED: core]')
  })
})
