import { describe, expect, it } from 'vitest'
import { run } from './run.js'

describe('x-sample command line', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    for (const command of ['tour', 'primes', 'fetch', 'hash <path>...']) expect(r.stdout).toContain(`  ${command}`)
    expect(r.stderr).toBe('')
  })

  it.each(['tour', 'primes', 'fetch', 'hash'])('%s --help shows its own usage', async (command) => {
    const r = await run([command, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Usage: x-sample ${command}`, 'u'))
  })

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'; the commands are tour, primes, fetch, hash"],
    [['constructor'], "unknown command 'constructor'; the commands are tour, primes, fetch, hash"],
    [['hash'], 'hash needs at least one folder'],
    [['hash', '.', '--backend', 'gpu'], "--backend must be one of async, thread, process, distributed (got 'gpu')"],
    [['hash', '.', '--workers', '0'], '--workers must be between 1 and 256 (got 0)'],
    [['primes', '--workers', 'many'], "--workers must be a whole number of workers, like --workers 4 (got 'many')"],
    [['primes', '--repeat', '0'], "--repeat takes a whole number from 1 to 1000, like --repeat 8 (got '0')"],
    [['primes', '--backend', 'gpu'], "--backend must be one of async, thread, process, distributed, all (got 'gpu')"],
    [['fetch', '--timeout=-5'], "--timeout takes a number of milliseconds greater than 0, like --timeout 1500 (got '-5')"],
    [['fetch', '--timeout', 'soon'], "--timeout takes a number of milliseconds greater than 0, like --timeout 1500 (got 'soon')"],
    [['tour', '--graph', 'png'], "--graph must be one of mermaid, dot (got 'png')"],
    [['tour', 'extra'], "tour takes no arguments (got 'extra')"],
    [['primes', '--colour'], "primes: Unknown option '--colour'"],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const r = await run(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`x-sample: ${message}`)
    expect(r.stderr).toContain("Try 'x-sample --help'.")
    expect(r.stdout).toBe('')
  })
})
