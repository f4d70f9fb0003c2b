// primes: Python's process-pool example on each backend; the answers are checked against a
// primality test written here, not against a stored list.
import { describe, expect, it } from 'vitest'
import { run } from './run.js'

const NUMBERS = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419]

/** Trial division by 6k±1: a different algorithm from the app's, so a shared bug cannot hide. */
function prime(n: number): boolean {
  if (n < 4) return n >= 2
  if (n % 2 === 0 || n % 3 === 0) return false
  for (let i = 5; i * i <= n; i += 6) if (n % i === 0 || n % (i + 2) === 0) return false
  return true
}

describe('primes', () => {
  it('answers like Python on all three backends, timed, with progress on stderr', async () => {
    const r = await run(['primes', '--workers', '2', '--progress'])
    expect(r.code).toBe(0)
    const answers = NUMBERS.map((n) => `${String(n)} is prime: ${String(prime(n))}`)
    expect(answers.at(-1)).toBe('1099726899285419 is prime: false')
    expect(r.stdout).toContain(answers.join('\n'))
    expect(r.stdout).toMatch(/^async {4}2 {8}\d+\.\d\d s +printed above$/mu)
    expect(r.stdout).toMatch(/^thread {3}2 {8}\d+\.\d\d s +same as above$/mu)
    expect(r.stdout).toMatch(/^process {2}2 {8}\d+\.\d\d s +same as above$/mu)
    // executor.stats(): every check completed, none failed, with a utilization and timings
    expect(r.stdout).toContain('executor.stats() at the end of each run')
    for (const backend of ['async', 'thread', 'process']) {
      const row = new RegExp(`^${backend} +6 +0 +(\\d+) % +(\\d+\\.\\d) +(\\d+\\.\\d) +(\\d+\\.\\d) +(\\d+\\.\\d)$`, 'mu').exec(r.stdout)
      expect(row, `${backend} stats row`).not.toBeNull()
      // each check is real work (a trial division over ~10^7 candidates): it ran for some time
      // and kept the workers busy for some of the run
      const [, utilization, , , runP50] = row ?? []
      expect(Number(runP50), `${backend} run p50`).toBeGreaterThan(0)
      expect(Number(utilization), `${backend} utilization`).toBeGreaterThan(0)
    }
    for (const backend of ['async', 'thread', 'process']) {
      expect(r.stderr).toContain(`primes [${backend} x2] 0/6 (0%)`)
      expect(r.stderr).toContain(`primes [${backend} x2] 6/6 (100%)`)
    }
  })

  it('runs one backend with --backend, and shows no progress off a terminal without --progress', async () => {
    const r = await run(['primes', '--backend', 'process', '--workers', '1'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(answers from the process backend)')
    expect(r.stdout).not.toMatch(/^(async|thread) /mu)
    expect(r.stderr).toBe('')
  })

  it('checks the list several times over with --repeat', async () => {
    const r = await run(['primes', '--backend', 'thread', '--workers', '2', '--repeat', '3', '--progress'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("is_prime over Python's 6 numbers, checked 3 times over")
    expect(r.stdout).toContain('answers (18 checks each)')
    expect(r.stderr).toContain('primes [thread x2] 18/18 (100%)')
  })
})
