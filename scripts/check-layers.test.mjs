// The layer rule is enforced by scripts/check-layers.mjs and by eslint.config.js. These tests
// show that both catch each kind of violation (so neither check can pass vacuously), and
// that the repository itself follows the rule.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { checkLayers, checkTable } from './check-layers.mjs';
import { layers } from './layers.mjs';
import { scratchTrees } from './scratch-tree.mjs';
import { repoRoot } from './summary.mjs';

/** Writes a small workspace: files maps a relative path to its content (objects become JSON). */
const workspace = scratchTrees('x-layers-');

/** A correct two-package workspace: @x/thread-pool depends on @x/future. */
const valid = {
  'tsconfig.json': {
    files: [],
    references: [
      { path: 'packages/future' },
      { path: 'packages/future/test' },
      { path: 'packages/thread-pool' },
      { path: 'packages/thread-pool/test' },
    ],
  },
  'packages/future/package.json': { name: '@x/future' },
  'packages/future/tsconfig.json': '{ // comments are allowed\n "references": [] }',
  'packages/future/test/tsconfig.json': { references: [{ path: '..' }] },
  'packages/future/src/index.ts': "export const a = 1;\n// see @x/concurrent, which re-exports this\n",
  'packages/thread-pool/package.json': {
    name: '@x/thread-pool',
    dependencies: { '@x/future': 'workspace:^' },
  },
  'packages/thread-pool/tsconfig.json': { references: [{ path: '../future' }] },
  'packages/thread-pool/test/tsconfig.json': { references: [{ path: '..' }, { path: '../../future' }] },
  'packages/thread-pool/src/index.ts':
    "import { a } from '@x/future';\nimport type { T } from './types.js';\nexport { a };\nexport type { T };\n",
  'packages/thread-pool/test/pool.test.ts': "import { a } from '../src/index.js';\nimport '@x/future/testing';\n",
};

describe('checkLayers', () => {
  it('accepts a workspace that follows the layer table', () => {
    expect(checkLayers(workspace(valid))).toEqual([]);
  });

  it('refuses a dependency on a higher layer, in any dependency field', () => {
    const root = workspace({
      ...valid,
      'packages/future/package.json': { name: '@x/future', devDependencies: { '@x/thread-pool': 'workspace:^' } },
    });
    expect(checkLayers(root)).toContainEqual(
      expect.stringMatching(/packages\/future\/package\.json: devDependencies has @x\/thread-pool/u),
    );
  });

  it('refuses one pool depending on the other', () => {
    const root = workspace({
      ...valid,
      'packages/thread-pool/package.json': {
        name: '@x/thread-pool',
        dependencies: { '@x/future': 'workspace:^', '@x/process-pool': 'workspace:^' },
      },
    });
    expect(checkLayers(root).join('\n')).toMatch(
      /dependencies has @x\/process-pool, but @x\/thread-pool may depend on only @x\/future, @x\/diagnostics/u,
    );
  });

  it('refuses a workspace dependency that is not a workspace: link', () => {
    const root = workspace({
      ...valid,
      'packages/thread-pool/package.json': { name: '@x/thread-pool', dependencies: { '@x/future': '^0.1.0' } },
    });
    expect(checkLayers(root)).toEqual([
      'packages/thread-pool/package.json: dependencies.@x/future is "^0.1.0"; use "workspace:^".',
    ]);
  });

  it('refuses a package folder missing from the table, or named differently', () => {
    const root = workspace({
      ...valid,
      'packages/extras/package.json': { name: '@x/extras' },
      'packages/future/package.json': { name: '@x/futures' },
    });
    const problems = checkLayers(root).join('\n');
    expect(problems).toMatch(/packages\/extras: not in the layer table/u);
    expect(problems).toMatch(/packages\/future\/package\.json: name is "@x\/futures"/u);
  });

  it('wants a tsconfig reference for every @x dependency, and none for anything else', () => {
    const missing = workspace({ ...valid, 'packages/thread-pool/tsconfig.json': { references: [] } });
    expect(checkLayers(missing)).toEqual([
      'packages/thread-pool/tsconfig.json: depends on @x/future but does not reference it; add { "path": "../future" } to "references".',
    ]);
    const extra = workspace({ ...valid, 'packages/future/tsconfig.json': { references: [{ path: '../thread-pool' }] } });
    expect(checkLayers(extra)).toEqual([
      'packages/future/tsconfig.json: references packages/thread-pool, which is not one of its @x dependencies in package.json.',
    ]);
  });

  it('wants every package and test project in the solution tsconfig.json', () => {
    const root = workspace({ ...valid, 'tsconfig.json': { files: [], references: [{ path: 'packages/future' }] } });
    expect(checkLayers(root)).toEqual([
      'tsconfig.json: add { "path": "packages/future/test" } to "references" so `tsc -b` builds and checks it.',
      'tsconfig.json: add { "path": "packages/thread-pool" } to "references" so `tsc -b` builds and checks it.',
      'tsconfig.json: add { "path": "packages/thread-pool/test" } to "references" so `tsc -b` builds and checks it.',
    ]);
  });

  it('finds forbidden imports in the sources: dynamic, deep, and relative into a sibling', () => {
    const root = workspace({
      ...valid,
      'packages/thread-pool/src/extra.ts': [
        "const other = await import('@x/process-pool');",
        "export * from '@x/future/src/future.js';",
        "import { b } from '../../process-pool/src/index.js';",
        'export { other, b };',
      ].join('\n'),
    });
    expect(checkLayers(root)).toEqual([
      'packages/thread-pool/src/extra.ts: imports @x/process-pool, but @x/thread-pool may use only @x/future, @x/diagnostics, @x/pool-kit (scripts/layers.mjs).',
      'packages/thread-pool/src/extra.ts: imports "@x/future/src/future.js"; import the package entry (@x/future), not its src/ or dist/.',
      'packages/thread-pool/src/extra.ts: imports "../../process-pool/src/index.js", which leaves packages/thread-pool; import the other package by its name.',
    ]);
  });

  it('lets test files, and only them, import the shared helpers of scripts/test-utils/', () => {
    const root = workspace({
      ...valid,
      'packages/thread-pool/test/helpers.ts': "export { startProcess } from '../../../scripts/test-utils/processes.mjs';\n",
      'packages/thread-pool/src/extra.ts': "export { startProcess } from '../../../scripts/test-utils/processes.mjs';\n",
    });
    expect(checkLayers(root)).toEqual([
      'packages/thread-pool/src/extra.ts: imports "../../../scripts/test-utils/processes.mjs", which leaves packages/thread-pool; import the other package by its name.',
    ]);
  });

  it('refuses a table whose layers point up', () => {
    expect(
      checkTable({
        'packages/future': { name: '@x/future', level: 0, mayUse: ['@x/thread-pool'] },
        'packages/thread-pool': { name: '@x/thread-pool', level: 2, mayUse: ['@x/future'] },
      }),
    ).toEqual([
      'scripts/layers.mjs: @x/future (level 0) may not use @x/thread-pool (level 2): layers only point down',
    ]);
  });

  it('passes on this repository', () => {
    expect(checkLayers(repoRoot)).toEqual([]);
  });
});

describe('eslint.config.js layer rules', () => {
  // Only no-restricted-imports, without type information, so probe files need not exist.
  const eslint = new ESLint({
    cwd: repoRoot,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
  const names = Object.values(layers).map((l) => l.name);

  it.each(Object.entries(layers))('%s imports only itself and what the table allows', async (folder, layer) => {
    const code = names.map((n) => `import '${n}';`).join('\n');
    const [result] = await eslint.lintText(code, { filePath: `${folder}/src/probe.ts` });
    const refused = (result?.messages ?? []).map((m) => names[m.line - 1]);
    expect(refused.sort()).toEqual(names.filter((n) => n !== layer.name && !layer.mayUse.includes(n)).sort());
  });

  it('refuses deep imports into src/ and dist/ everywhere', async () => {
    const code = "import '@x/future/src/index.js';\nimport '@x/future/dist/index.js';\nimport '@x/future/testing';\n";
    for (const filePath of ['packages/concurrent/src/probe.ts', 'apps/bench/probe.mjs', 'scripts/probe.mjs']) {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result?.messages.map((m) => m.line), filePath).toEqual([1, 2]);
    }
  });
});
