// The front page links onward to every package's README and to the sample app: each relative
// link must lead to a file that exists, and every package this one gathers must be linked.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/gu)]
  .map((m) => m[1] ?? '')
  .filter((href) => !/^[a-z]+:/iu.test(href))

describe('README links', () => {
  it('has relative links to check', () => {
    expect(links.length).toBeGreaterThan(4)
  })

  it.each(links)('%s exists', (href) => {
    const target = fileURLToPath(new URL(`../${href}`, import.meta.url))
    expect(existsSync(target), `README.md links to ${href}, which does not exist (${target})`).toBe(true)
  })

  it.each(['future', 'diagnostics', 'thread-pool', 'process-pool'])('links to the @x/%s README', (name) => {
    expect(links).toContain(`../${name}/README.md`)
  })
})
