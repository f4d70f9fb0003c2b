// The TypeDoc plugin behind "every export has @since, every call that throws has @throws"
// (scripts/typedoc-required-tags.mjs): run on a small scratch package, it warns about exactly the
// declarations that lack a tag, so `pnpm docs` (warnings are errors) cannot pass vacuously.
import path from 'node:path';
import { Application, TSConfigReader } from 'typedoc';
import { describe, expect, it } from 'vitest';
import { scratchTrees } from './scratch-tree.mjs';
import { repoRoot } from './summary.mjs';

const tree = scratchTrees('x-typedoc-tags-');

const SOURCE = `
/**
 * Documented.
 * @since 0.1.0
 */
export function good(): number { return 1 }

/** No since tag. */
export function noSince(): number { return 1 }

/**
 * Throws, and says so.
 * @throws TypeError when x is negative.
 * @since 0.1.0
 */
export function throwsDocumented(x: number): number { if (x < 0) throw new TypeError('negative'); return x }

/**
 * Throws without saying so.
 * @since 0.1.0
 */
export function throwsUndocumented(x: number): number { if (x < 0) throw new RangeError('negative'); return x }

/**
 * A throw inside a callback it returns: calling this does not throw.
 * @since 0.1.0
 */
export function returnsThrower(): () => never { return () => { throw new Error('later') } }

/**
 * Overloads: the implementation throws, so each overload needs the tag.
 * @throws TypeError when x is not a number or string.
 * @since 0.1.0
 */
export function over(x: number): number
/**
 * The string form.
 * @since 0.1.0
 */
export function over(x: string): string
export function over(x: number | string): number | string { if (typeof x !== 'number' && typeof x !== 'string') throw new TypeError('x'); return x }

/**
 * A class.
 * @since 0.1.0
 */
export class Thing {
  /** @param n a count */
  constructor(n: number) { if (n < 0) throw new RangeError('n') }
  /**
   * An async method: its throw rejects the promise, and is documented.
   * @throws Error (the promise rejects) always.
   */
  async fail(): Promise<void> { throw new Error('no') }
  /** Does not throw. */
  fine(): void {}
}
`;

/**
 * @param {string[]} requiredTags
 * @returns {Promise<string[]>} the plugin's warnings
 */
async function warningsFor(requiredTags) {
  const root = tree({
    'index.ts': SOURCE,
    'tsconfig.json': {
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], noEmit: true, types: [] },
      files: ['index.ts'],
    },
  });
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [path.join(root, 'index.ts')],
    tsconfig: path.join(root, 'tsconfig.json'),
    plugin: [path.join(repoRoot, 'scripts', 'typedoc-required-tags.mjs')],
    // @ts-expect-error -- the plugin's own option
    requiredTags,
    logLevel: 'Warn',
    skipErrorChecking: true,
    // the repository's own typedoc.json (in the working directory) must not apply here
  }, [new TSConfigReader()]);
  /** @type {string[]} */
  const warnings = [];
  app.logger.warn = (/** @type {string} */ message) => {
    warnings.push(message);
  };
  /** @type {string[]} */
  const errors = [];
  app.logger.error = (/** @type {string} */ message) => {
    errors.push(message);
  };
  const project = await app.convert();
  expect(errors).toEqual([]);
  expect(project).toBeDefined();
  return warnings.filter((w) => w.includes('requiredTags'));
}

describe('typedoc-required-tags', () => {
  it('names every export without @since and every call whose own code throws without @throws', async () => {
    const warnings = await warningsFor(['@since', '@throws']);
    expect(warnings.filter((w) => w.includes('@since'))).toEqual([
      "noSince has no @since tag (requiredTags in its package's typedoc.json)",
    ]);
    const throwing = warnings.filter((w) => w.includes('@throws')).map((w) => w.replace(/ throws \(its code has a `throw`\).*$/u, ''));
    // not returnsThrower (the throw is in a callback), not Thing.fail (documented), not Thing.fine;
    // the string overload of over() and the constructor of Thing have no @throws
    expect(throwing.sort()).toEqual(['Thing.constructor', 'over', 'throwsUndocumented']);
  });

  it('asks nothing when requiredTags is empty', async () => {
    expect(await warningsFor([])).toEqual([]);
  });
});
