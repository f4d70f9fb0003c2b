// --backend distributed: two local x-workers on the Redis at REDIS_URL. Skipped without a Redis
// (pnpm test says loudly that the distributed suite did not run); required under CI=true.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { run } from './run.js'

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const hasRedis = await new Promise<boolean>((resolve) => {
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) })
  const done = (ok: boolean): void => {
    socket.destroy()
    resolve(ok)
  }
  socket.setTimeout(1000, () => { done(false) })
  socket.on('error', () => { done(false) })
  socket.on('connect', () => socket.write('PING\r\n'))
  socket.on('data', (d: Buffer) => { done(d.toString().includes('PONG')) })
})

if (process.env.CI === 'true') {
  it('has a Redis for --backend distributed (required under CI=true)', () => {
    expect(hasRedis).toBe(true)
  })
}

describe.skipIf(!hasRedis)('--backend distributed', () => {
  it('primes: answers like the local backends, and says which x-worker ran what', async () => {
    const r = await run(['primes', '--backend', 'distributed', '--workers', '2'], { timeout: 60_000, detached: true })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('1099726899285419 is prime: false')
    expect(r.stdout).toContain('(answers from the distributed backend)')
    expect(r.stdout).toMatch(/distributed: x-worker #1 ran \d(, #2 ran \d)? of the 6 checks/u)
  })
})
