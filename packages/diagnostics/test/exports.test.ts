// The public surface of @x/diagnostics: every runtime export and its kind. A change here is an API change.
import { describe, expect, it } from 'vitest'

const kinds = (module: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.keys(module).sort().map((key) => [key, typeof module[key]]))

describe('exports', () => {
  it('@x/diagnostics', async () => {
    expect(kinds(await import('@x/diagnostics'))).toMatchInlineSnapshot(`
      {
        "DeadlockError": "function",
        "deadlockChannel": "object",
        "detectDeadlocks": "function",
        "formatReport": "function",
        "formatSnapshot": "function",
        "isDeadlockError": "function",
      }
    `)
  })
})
