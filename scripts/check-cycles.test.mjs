// The no-cycle rule is enforced by scripts/check-cycles.mjs. These tests show that it catches a
// cycle of each kind of import (so it cannot pass vacuously), names the files in import order,
// and that the repository itself has no cycle.
import { describe, expect, it } from 'vitest';
import { checkCycles, findCycles } from './check-cycles.mjs';
import { scratchTrees } from './scratch-tree.mjs';
import { repoRoot } from './summary.mjs';

/** Writes a small workspace: files maps a relative path to its content. */
const workspace = scratchTrees('x-cycles-');

/** A package whose files form a tree: index -> a -> leaf, index -> b -> leaf. */
const layered = {
  'packages/core/src/index.ts': "export { a } from './a.js'\nexport { b } from './b.js'\n",
  'packages/core/src/a.ts': "import { leaf } from './leaf.js'\nexport const a = leaf\n",
  'packages/core/src/b.ts': "import type { Leaf } from './leaf.js'\nexport const b: Leaf = 1\n",
  'packages/core/src/leaf.ts': 'export const leaf = 1\nexport type Leaf = number\n',
  // outside src/: tests may import in any order
  'packages/core/test/a.test.ts': "import '../src/a.js'\n",
};

describe('checkCycles', () => {
  it('accepts packages whose src/ imports form no cycle', () => {
    expect(checkCycles(workspace(layered))).toEqual([]);
  });

  it('refuses a runtime cycle and names its files in import order', () => {
    const root = workspace({
      ...layered,
      'packages/core/src/leaf.ts': "import { a } from './a.js'\nexport const leaf = 1\nexport const again = a\n",
    });
    expect(checkCycles(root)).toEqual([
      'packages/core/src: import cycle a.ts → leaf.ts → a.ts. ' +
        'Move what both sides need (types, brands, constants) into a leaf file that imports neither.',
    ]);
  });

  it('refuses a cycle made only of type imports, through a subfolder and an index file', () => {
    const root = workspace({
      ...layered,
      'packages/core/src/leaf.ts': "import type { X } from './deep/index.js'\nexport const leaf = 1\nexport type Leaf = X\n",
      'packages/core/src/deep/index.ts': "export type { X } from './x.js'\n",
      'packages/core/src/deep/x.ts': "import type { Leaf } from '../leaf.js'\nexport type X = Leaf | string\n",
    });
    expect(checkCycles(root).join('\n')).toMatch(/import cycle deep\/index\.ts → deep\/x\.ts → leaf\.ts → deep\/index\.ts/u);
  });

  it('refuses dynamic import(), re-export and require() cycles, one problem per cycle', () => {
    const root = workspace({
      'packages/one/src/a.ts': "export const load = () => import('./b.js')\n",
      'packages/one/src/b.ts': "export * from './a.js'\n",
      'packages/two/src/c.cts': "const d = require('./d.cjs')\nmodule.exports = d\n",
      'packages/two/src/d.cts': "module.exports = require('./c.cjs')\n",
    });
    const problems = checkCycles(root);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^packages\/one\/src: import cycle a\.ts → b\.ts → a\.ts/u);
    expect(problems[1]).toMatch(/^packages\/two\/src: import cycle c\.cts → d\.cts → c\.cts/u);
  });

  it('finds a self-import and every separate cycle of one graph', () => {
    const graph = new Map([
      ['a', ['a']],
      ['b', ['c']],
      ['c', ['d']],
      ['d', ['b', 'e']],
      ['e', []],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'a'], ['b', 'c', 'd', 'b']]);
  });

  it('passes on this repository', () => {
    expect(checkCycles(repoRoot)).toEqual([]);
  });
});
