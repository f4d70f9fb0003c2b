// What a settled future holds: its result, not its call's arguments.
import { describe, expect, it } from 'vitest'
import { runScript } from './helpers.js'

describe('a settled future the caller keeps', () => {
  it("does not keep its call's arguments alive (returned, threw, moved a buffer)", async () => {
    const result = await runScript('./fixtures/settled-future-frees-args.mjs')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('10000,10000,10000,boom,10000 settled freed')
  })
})
