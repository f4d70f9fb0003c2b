// fetch: Python's URL example against the app's own loopback server.
import { describe, expect, it } from 'vitest'
import { run } from './run.js'

describe('fetch', () => {
  it('loads every URL once with asCompleted, pages and errors as Python prints them', async () => {
    const r = await run(['fetch', '--timeout', '1500'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const origin = /Serving 6 routes on (http:\/\/127\.0\.0\.1:\d+);/u.exec(r.stdout)?.[1]
    if (origin === undefined) throw new Error(`the server must listen on 127.0.0.1:\n${r.stdout}`)
    const lines = r.stdout.split('\n').filter((l) => l.startsWith("'"))
    expect(lines).toHaveLength(7)
    const o = origin
    expect(lines).toEqual(
      expect.arrayContaining([
        `'${o}/' page is 2048 bytes`,
        `'${o}/news' page is 12345 bytes`,
        `'${o}/slow' page is 5120 bytes`,
        `'${o}/large' page is 262144 bytes`,
        `'${o}/fail' generated an exception: HTTP Error 500: Internal Server Error`,
        `'${o}/stall' generated an exception: timed out after 1500 ms`,
      ]),
    )
    expect(lines.find((l) => l.includes('ECONNREFUSED'))).toMatch(/^'http:\/\/127\.0\.0\.1:\d+\/' generated an exception: fetch failed/u)
    // asCompleted: the slow page comes after the quick ones, the stalled one last.
    expect(lines.findIndex((l) => l.includes('/slow'))).toBeGreaterThan(lines.findIndex((l) => l.startsWith(`'${o}/' `)))
    expect(lines.at(-1)).toContain('/stall')
    expect(r.stdout).toContain('4 pages, 3 errors')
  })
})
