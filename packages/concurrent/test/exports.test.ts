// Guards the curated barrel: the exact list of names @x/concurrent exports (values and types), and
// that every public name of the packages it gathers is either re-exported as the very same binding
// or left out on purpose (listed below, with the reason). A new export in any of those packages
// fails this test until someone decides where it belongs.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'

/** The packages @x/concurrent gathers, bottom layer first. */
const SOURCES = ['@x/future', '@x/diagnostics', '@x/thread-pool', '@x/process-pool', '@x/distributed'] as const

/** Public names of the sources that stay in their home package, and why. */
const LEFT_OUT: Readonly<Record<string, string>> = {
  // @x/future's backend kit: for people writing an executor, who depend on @x/future itself.
  describeCallable: 'backend kit (@x/future)',
  loadCallable: 'backend kit (@x/future)',
  invokeCallable: 'backend kit (@x/future)',
  explainCallError: 'backend kit (@x/future)',
  checkArguments: 'backend kit (@x/future)',
  serializeError: 'backend kit (@x/future)',
  deserializeError: 'backend kit (@x/future)',
  isSerializedError: 'backend kit (@x/future)',
  describeValue: 'backend kit (@x/future)',
  withTaskContext: 'backend kit (@x/future)',
  hooksOffBetweenTasks: 'backend kit (@x/future)',
  newWaitId: 'backend kit (@x/future)',
  reportProgress: 'backend kit (@x/future)',
  streamArguments: 'backend kit (@x/future)',
  CallableSpec: 'backend kit (@x/future)',
  SerializedError: 'backend kit (@x/future)',
  CancelHook: 'backend kit (@x/future)',
  MapColumn: 'backend kit (@x/future): the columns of Executor.submitColumns()',
  // The argument of the protected Executor constructor; the name ExecutorInfo is taken here by
  // @x/diagnostics' report type (an executor as a deadlock report shows it).
  'ExecutorInfo@@x/future': 'backend kit (@x/future), name taken by @x/diagnostics',
}

/** Whether `name` of `source` is left out on purpose (by name, or as `name@source`). */
const leftOut = (name: string, source: string): boolean => name in LEFT_OUT || `${name}@${source}` in LEFT_OUT

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>
}

interface Exported {
  /** Export names, sorted. */
  readonly names: string[]
  /** Each name's declaration, after following re-exports: the identity of the binding. */
  readonly targets: Map<string, ts.Symbol>
}

/** Exports (values and types) of src/index.ts and of each source package's typings. */
function typedExports(): { own: Exported; sources: Map<string, Exported> } {
  const configFile = ts.findConfigFile(packageDir, (f) => ts.sys.fileExists(f), 'tsconfig.json')
  if (configFile === undefined) throw new Error('packages/concurrent/tsconfig.json not found')
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    },
  })
  if (config === undefined) throw new Error(`cannot read ${configFile}`)
  const options = { ...config.options, noEmit: true, composite: false, incremental: false }
  const program = ts.createProgram({ rootNames: [entry], options })
  const checker = program.getTypeChecker()
  const namesOf = (file: string): Exported => {
    const sourceFile = program.getSourceFile(file)
    if (sourceFile === undefined) throw new Error(`${file} is not part of the program`)
    const symbol = checker.getSymbolAtLocation(sourceFile)
    if (symbol === undefined) throw new Error(`${file} is not a module`)
    const exported = checker.getExportsOfModule(symbol)
    const targets = new Map(
      exported.map((s) => [s.name, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s] as const),
    )
    return { names: exported.map((s) => s.name).sort(), targets }
  }
  const sources = new Map<string, Exported>()
  for (const name of SOURCES) {
    const resolved = ts.resolveModuleName(name, entry, options, ts.sys).resolvedModule
    if (resolved !== undefined) sources.set(name, namesOf(resolved.resolvedFileName))
  }
  return { own: namesOf(entry), sources }
}

const typed = typedExports()

describe('@x/concurrent exports', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toMatchSnapshot()
  })

  it('exports exactly these names, types included', () => {
    expect(typed.own.names).toMatchSnapshot()
  })

  it('has no default export and no export *', () => {
    expect('default' in api).toBe(false)
    const source = readFileSync(entry, 'utf8')
    expect(source).not.toMatch(/export\s*\*/u)
  })

  for (const name of SOURCES) {
    describe(name, () => {
      it('is a dependency with typings the barrel can see', () => {
        expect(manifest.dependencies?.[name], `${name} is missing from dependencies`).toBe('workspace:*')
        expect(typed.sources.has(name), `${name} does not resolve (not built, or not installed)`).toBe(true)
      })

      it('has every public name re-exported as the same declaration (or left out on purpose)', () => {
        const home = typed.sources.get(name)
        const names = home?.names ?? []
        expect(names.length, `${name} exports nothing the barrel can see`).toBeGreaterThan(0)
        const missing = names.filter((n) => !leftOut(n, name) && typed.own.targets.get(n) !== home?.targets.get(n))
        expect(missing, `public names of ${name} that @x/concurrent neither re-exports nor lists in LEFT_OUT`).toEqual([])
      })

      it('hands out the very same bindings at run time', async () => {
        const require = createRequire(import.meta.url)
        expect(() => require.resolve(`${name}/package.json`), `${name} is not installed here`).not.toThrow()
        const home = (await import(name)) as Record<string, unknown>
        const values = Object.keys(home).filter((n) => !leftOut(n, name))
        expect(values.length).toBeGreaterThan(0)
        for (const n of values) expect((api as Record<string, unknown>)[n], n).toBe(home[n])
      })
    })
  }

  it('leaves out only names that exist', () => {
    const all = new Set([...typed.sources.entries()].flatMap(([source, e]) => e.names.flatMap((n) => [n, `${n}@${source}`])))
    const stale = Object.keys(LEFT_OUT).filter((n) => !all.has(n))
    expect(stale, 'LEFT_OUT names that no source package exports any more').toEqual([])
  })
})
