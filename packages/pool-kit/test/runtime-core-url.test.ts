// The URL a pool hands its workers for @x/future/runtime: the entry's core file when there is one.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { runtimeCoreUrl } from '@x/pool-kit'
import { expect, it } from 'vitest'

it("gives @x/future's built runtime core for its runtime entry", () => {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('@x/future/runtime')).href
  expect(entry).toMatch(/\/runtime\.js$/u)
  expect(runtimeCoreUrl(entry)).toBe(new URL('./runtime-core.js', entry).href)
})

it('gives the entry itself when there is no core beside it, or it is not a file: URL of runtime.js', () => {
  const elsewhere = new URL('./fixtures/runtime.js', import.meta.url).href
  expect(runtimeCoreUrl(elsewhere)).toBe(elsewhere)
  expect(runtimeCoreUrl('data:text/javascript,export{}')).toBe('data:text/javascript,export{}')
  const other = pathToFileURL(createRequire(import.meta.url).resolve('@x/future')).href
  expect(runtimeCoreUrl(other)).toBe(other)
})
