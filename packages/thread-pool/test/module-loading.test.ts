// How a pool thread loads task modules (src/thread-entry.cts, src/load-guard.ts, @x/pool-kit's
// require-first.ts): where Node can require() ES modules the thread loads @x/future/runtime and an
// ES module task with require(), without Node's asynchronous ES module loader; everything else
// loads and fails as import() has it, and the thread has one @x/future either way. fixtures/loading/scenarios.mjs
// runs in a plain `node` child: this runner's own `--require` preload makes threads use import().
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const fixture = (file: string): string => fileURLToPath(new URL(`./fixtures/loading/${file}`, import.meta.url))
const href = (file: string): string => new URL(`./fixtures/loading/${file}`, import.meta.url).href

/** What fixtures/loading/scenarios.mjs prints when run with these node options. */
function scenarios(...options: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...options, fixture('scenarios.mjs')], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(JSON.parse(stdout) as Record<string, unknown>)
      else reject(new Error(`${error.message}\n${stderr}`))
    })
  })
}

const noExport = (file: string, name: string, exports: string): unknown => ({
  error: { name: 'TypeError', message: `module ${href(file)} has no export named "${name}"; its function exports are: ${exports}` },
})

describe('task modules', () => {
  it('an ES module loads with require() where Node can: the same outcome as import() for every kind of module, one @x/future', async () => {
    const [required, imported, preloaded] = await Promise.all([
      scenarios(),
      scenarios('--no-experimental-require-module'),
      scenarios('--require', fixture('preload.cjs')),
    ])
    expect(required.loadedBy).toBe('require()')
    expect(imported.loadedBy).toBe('import()')
    expect(preloaded.loadedBy).toBe('import()')
    const outcome = { ...required }
    delete outcome.loadedBy
    expect(outcome).toEqual({
      // a task module importing @x/future sees the runtime's executor, futures and errors as its own
      identity: { value: { executor: true, future: true, cancelled: true, runtimeErrors: true, classes: true } },
      esmDefault: { value: 'default 2' },
      // require() adds __esModule to the namespace of a module with a default export; import() not
      esmNotAnExport: noExport('load-stack.mjs', '__esModule', 'default, loadStack'),
      topLevelAwait: { value: 'after await' },
      // CommonJS: run once; its exports as import() presents them (not what Object.assign added)
      './tasks.cjs': { default: { value: 'main 1' }, named: { value: 'named 2 (runs 1)' }, hidden: noExport('tasks.cjs', 'hidden', 'default, named') },
      './commonjs/tasks.js': {
        default: { value: 'main 1' },
        named: { value: 'named 2 (runs 1)' },
        hidden: noExport('commonjs/tasks.js', 'hidden', 'default, named'),
      },
      // the module's own error, again on the next call: it is not run twice
      throwsAtLoad: [{ error: { name: 'RangeError', message: 'thrown at load (run 1)' } }, { error: { name: 'RangeError', message: 'thrown at load (run 1)' } }],
      syntaxError: { error: { name: 'SyntaxError', message: 'Unexpected end of input' } },
      missing: { error: { name: 'Error', message: `Cannot find module '${fixture('missing.mjs')}'`, code: 'ERR_MODULE_NOT_FOUND' } },
      imported: {
        throwsAtLoad: { error: { name: 'RangeError', message: 'thrown at load (run 1)' } },
        syntaxError: { error: { name: 'SyntaxError', message: 'Unexpected end of input' } },
        missing: { error: { name: 'Error', message: `Cannot find module '${fixture('missing.mjs')}'`, code: 'ERR_MODULE_NOT_FOUND' } },
      },
    })
    const same = (run: Record<string, unknown>): Record<string, unknown> => ({ ...run, loadedBy: 'require()' })
    expect(same(imported)).toEqual(required)
    expect(same(preloaded)).toEqual(required)
  })
})
