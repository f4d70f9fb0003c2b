// The front page links onward to every package's README and to the sample app. On the registry
// a relative link would break (the README is shown outside the repository), so the links are
// absolute links into the repository: each must lead to a file or folder that exists here, and
// every package this one gathers must be linked.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  repository: { url: string }
}
// git+https://github.com/<org>/<repo>.git -> https://github.com/<org>/<repo>
const repository = manifest.repository.url.replace(/^git\+/u, '').replace(/\.git$/u, '')
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const hrefs = [...readme.matchAll(/\]\(([^)\s]+)\)/gu)].map((m) => m[1] ?? '')
/** Repository paths the README links to (`.../tree/main/<path>` or `.../blob/main/<path>`). */
const paths = hrefs
  .filter((href) => href.startsWith(`${repository}/`))
  .map((href) => href.slice(repository.length).replace(/^\/(?:tree|blob)\/main\//u, '').replace(/#.*$/u, ''))

describe('README links', () => {
  it('has no relative links (they break on the registry)', () => {
    expect(hrefs.filter((href) => !/^(?:[a-z]+:|#)/iu.test(href))).toEqual([])
  })

  it('has links into the repository to check', () => {
    expect(paths.length).toBeGreaterThan(4)
  })

  it.each(paths)('%s exists in the repository', (rel) => {
    const target = fileURLToPath(new URL(`../../../${rel}`, import.meta.url))
    expect(existsSync(target), `README.md links to ${rel}, which does not exist (${target})`).toBe(true)
  })

  it.each(['future', 'diagnostics', 'thread-pool', 'process-pool'])('links to the @x/%s README', (name) => {
    expect(paths).toContain(`packages/${name}`)
  })
})
