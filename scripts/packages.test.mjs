// The published-package check (scripts/packages.mjs): the repository passes it, and each kind of
// problem it exists for is caught (so it cannot pass vacuously). The same checkTarball runs on
// real `pnpm pack` output in scripts/consumer/.
import { scratchTrees } from './scratch-tree.mjs';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPackage, checkTarball, markdownLinks, publishedPackages, repositoryUrl } from './packages.mjs';
import { repoRoot } from './summary.mjs';

const REPO = 'https://github.com/example/x';
const LICENSE = 'MIT License\n\nCopyright (c) the authors\n';

/** Writes a small repository (relative path → content; objects become JSON); returns its root. */
const repository = scratchTrees('x-packages-');

/** @param {string} folder */
const goodManifest = (folder) => ({
  name: '@x/demo',
  version: '0.0.0',
  description: 'a demo',
  license: 'MIT',
  repository: { type: 'git', url: `git+${REPO}.git`, directory: folder },
  homepage: `${REPO}/tree/main/${folder}#readme`,
  bugs: `${REPO}/issues`,
  type: 'module',
  sideEffects: false,
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  files: ['dist', 'src'],
  engines: { node: '>=20.19.0' },
});

/**
 * A repository with one published package, packages/demo, with the given changes.
 * @param {{ manifest?: object, files?: Record<string, string | object> }} [change]
 * @returns {string}
 */
function demo(change = {}) {
  return repository({
    'package.json': { name: 'root', private: true, repository: { type: 'git', url: `git+${REPO}.git` } },
    LICENSE,
    'docs/guide.md': '# guide\n',
    'packages/demo/package.json': { ...goodManifest('packages/demo'), ...change.manifest },
    'packages/demo/LICENSE': LICENSE,
    'packages/demo/README.md': `# demo\n\nSee [the guide](${REPO}/blob/main/docs/guide.md) and [src](src/index.ts).\n`,
    'packages/demo/src/index.ts': 'export {}\n',
    'packages/demo/typedoc.json': { entryPoints: ['src/index.ts'], requiredTags: ['@since', '@throws'] },
    'packages/private/package.json': { name: '@x/private', private: true },
    ...change.files,
  });
}

describe('checkPackage', () => {
  it('finds nothing wrong in this repository, and checks every published package in it', () => {
    const folders = publishedPackages(repoRoot);
    expect(folders).toEqual(expect.arrayContaining(['packages/future', 'packages/concurrent']));
    expect(folders).not.toContain('packages/integration');
    expect(folders.flatMap((folder) => checkPackage(repoRoot, folder))).toEqual([]);
  });

  it('passes a complete package and skips private ones', () => {
    const root = demo();
    expect(repositoryUrl(root)).toBe(REPO);
    expect(publishedPackages(root)).toEqual(['packages/demo']);
    expect(checkPackage(root, 'packages/demo')).toEqual([]);
  });

  it('names each missing or wrong field', () => {
    const root = demo({
      manifest: {
        license: 'ISC',
        repository: `${REPO}.git`,
        homepage: undefined,
        bugs: { url: 'https://example.com/bugs' },
        sideEffects: undefined,
      },
    });
    const problems = checkPackage(root, 'packages/demo').join('\n');
    expect(problems).toContain('"license" is "ISC"');
    expect(problems).toContain(`"repository" must be { "type": "git", "url": "git+${REPO}.git", "directory": "packages/demo" }`);
    expect(problems).toContain('"homepage" must be');
    expect(problems).toContain(`"bugs" must be "${REPO}/issues"`);
    expect(problems).toContain('"sideEffects" must be stated');
  });

  it('wants typedoc.json to require @since and @throws', () => {
    const none = demo({ files: { 'packages/demo/typedoc.json': { entryPoints: ['src/index.ts'] } } });
    expect(checkPackage(none, 'packages/demo')).toEqual([
      'packages/demo/typedoc.json: "requiredTags" lacks @since, @throws; write "requiredTags": ["@since","@throws"] ' +
        '(pnpm docs then fails on an export without @since, or a call that throws without @throws)',
    ]);
    const sinceOnly = demo({ files: { 'packages/demo/typedoc.json': '{\n  // comments are fine\n  "requiredTags": ["@since"]\n}' } });
    expect(checkPackage(sinceOnly, 'packages/demo').join('\n')).toContain('"requiredTags" lacks @throws;');
  });

  it('wants the root LICENSE in the package folder', () => {
    expect(checkPackage(demo({ files: { 'packages/demo/LICENSE': 'Apache-2.0' } }), 'packages/demo')).toEqual([
      'packages/demo/LICENSE differs from the root LICENSE; copy the root one',
    ]);
  });

  it('wants the API reference to document exactly the entries of the exports map', () => {
    const exports = { '.': './dist/index.js', './testing': { types: './dist/testing/index.d.ts', default: './dist/testing/index.js' } };
    const root = demo({ manifest: { exports } });
    expect(checkPackage(root, 'packages/demo')).toEqual([
      'packages/demo: the API reference documents src/index.ts but the exports map has src/index.ts, src/testing/index.ts; ' +
        'list them in packages/demo/typedoc.json as "entryPoints": ["src/index.ts","src/testing/index.ts"]',
    ]);
    const fixed = demo({
      manifest: { exports },
      files: { 'packages/demo/typedoc.json': '{\n  // comments are fine\n  "entryPoints": ["src/index.ts", "./src/testing/index.ts"],\n  "requiredTags": ["@since", "@throws"]\n}' },
    });
    expect(checkPackage(fixed, 'packages/demo')).toEqual([]);
  });

  it('refuses README links that break on the registry or lead nowhere in the repository', () => {
    const readme = [
      '[sibling](../other/README.md)',
      '[examples](examples/)',
      '[gone](' + REPO + '/blob/main/docs/gone.md)',
      '[fine](#usage) [also fine](https://nodejs.org/api/) [published](src/index.ts)',
      '```md\n[inside a code block](../ignored.md)\n```',
      '`[in a code span](../ignored.md)`',
    ].join('\n\n');
    const problems = checkPackage(demo({ files: { 'packages/demo/README.md': readme } }), 'packages/demo');
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/links to \.\.\/other\/README\.md, which is not in the package's tarball/u);
    expect(problems[1]).toMatch(/links to examples\/, which is not in the package's tarball/u);
    expect(problems[2]).toMatch(/docs\/gone\.md does not exist in the repository/u);
  });
});

describe('the root README and docs/', () => {
  it.each(['README.md', 'docs/README.md', 'docs/typescript.md', 'docs/bundling.md'])(
    '%s links only to files that exist',
    (file) => {
      const markdown = readFileSync(path.join(repoRoot, file), 'utf8');
      const missing = markdownLinks(markdown)
        .filter((href) => !/^(?:[a-z][a-z0-9+.-]*:|#)/iu.test(href))
        .map((href) => path.posix.join(path.posix.dirname(file), href.replace(/[#?].*$/u, '')))
        .filter((rel) => !rel.startsWith('docs/api') && !existsSync(path.join(repoRoot, rel)));
      expect(missing).toEqual([]);
    },
  );
});

describe('the root README', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  it('states what a user needs: Node >= 20.19, ESM, require() support, @types/node for TypeScript', () => {
    expect(readme).toContain('**Node.js >= 20.19.**');
    expect(readme).toContain('The packages are ESM only');
    expect(readme).toContain("`require('@x/concurrent')` works on Node >= 20.19");
    expect(readme).toContain('**TypeScript users: `@types/node`**');
  });

  it('links the API reference, the TypeScript guide and the bundling guide', () => {
    expect(markdownLinks(readme)).toEqual(expect.arrayContaining(['docs/README.md', 'docs/typescript.md', 'docs/bundling.md']));
  });
});

describe('markdownLinks', () => {
  it('reads inline links, images, reference definitions and HTML attributes, not code', () => {
    const md = '[a](x.md) ![b](img.png "title")\n\n[ref]: ./y.md\n\n<a href="z.md">z</a>\n\n~~~\n[no](no.md)\n~~~\n';
    expect(markdownLinks(md)).toEqual(['x.md', 'img.png', './y.md', 'z.md']);
  });
});

describe('checkTarball', () => {
  /**
   * @param {Record<string, string | object>} entries
   * @returns {Map<string, Buffer>}
   */
  const tarball = (entries) =>
    new Map(
      Object.entries(entries).map(([rel, c]) => [rel, Buffer.from(typeof c === 'string' ? c : JSON.stringify(c))]),
    );
  const good = {
    'package.json': { ...goodManifest('packages/demo'), sideEffects: ['./dist/context.js'], bin: { demo: './dist/bin.js' } },
    LICENSE,
    'README.md': '# demo\n\n[source](src/index.ts)\n',
    'dist/index.js': '',
    'dist/index.d.ts': '',
    'dist/context.js': '',
    'dist/bin.js': '',
    'dist/index.js.map': { version: 3, sources: ['../src/index.ts'], sourcesContent: ['export {}'], mappings: '' },
    'src/index.ts': 'export {}',
  };
  const expected = { repository: REPO, license: LICENSE };

  it('passes a complete tarball', () => {
    expect(checkTarball(tarball(good), expected)).toEqual([]);
  });

  it('names every missing file, stale sideEffects entry and source map without its sources', () => {
    const dropped = new Set(['LICENSE', 'src/index.ts', 'dist/index.d.ts', 'dist/context.js', 'dist/bin.js']);
    const rest = Object.fromEntries(Object.entries(good).filter(([rel]) => !dropped.has(rel)));
    const problems = checkTarball(
      tarball({
        ...rest,
        'dist/index.js.map': { version: 3, sources: ['../src/index.ts'], mappings: '' },
      }),
      expected,
    );
    expect(problems).toEqual([
      'LICENSE is missing or differs from the root LICENSE',
      'README.md links to src/index.ts, which is not in the package\'s tarball (it breaks on the registry): link https://github.com/example/x/blob/main/<path> instead, or publish the file',
      'package.json points to ./dist/index.d.ts, which is not in the tarball',
      'package.json points to ./dist/bin.js, which is not in the tarball',
      '"sideEffects" names ./dist/context.js, which matches no file in the tarball (renamed? update the list)',
      'dist/index.js.map has no sourcesContent: set "inlineSources": true (tsconfig.base.json)',
      'dist/index.js.map names the source ../src/index.ts (src/index.ts), which is not in the tarball: publish src',
    ]);
  });
});
