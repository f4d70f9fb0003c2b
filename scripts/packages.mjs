// What every published package must carry, checked for all of them alike, so a new package
// (any non-private folder in packages/) is covered without being named anywhere:
//  - its package.json: license MIT, repository (the root's, with `directory`), homepage, bugs,
//    engines.node, "type": "module", exports, files, sideEffects stated (false or a list);
//  - its folder: LICENSE (the root's, byte for byte) and README.md;
//  - its API reference entry points (typedoc.json, default src/index.ts): those of its exports map;
//  - its typedoc.json's "requiredTags": "@since" and "@throws" (scripts/typedoc-required-tags.mjs
//    then fails `pnpm docs` on an export without @since or a throwing call without @throws);
//  - its README: links that work on the registry (absolute, an anchor, or a file in the tarball;
//    links into the repository must point at something that exists in it);
//  - its tarball (checkTarball, run by scripts/consumer/ on real `pnpm pack` output): every
//    exports/bin target, every sideEffects entry, LICENSE, README, and source maps that carry
//    their sources.
// Usage: node scripts/packages.mjs   (exits 1 and lists the problems when there are any)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The parts of a package.json this script reads.
 * @typedef {object} Manifest
 * @property {string} [name]
 * @property {string} [version]
 * @property {boolean} [private]
 * @property {string} [description]
 * @property {string} [license]
 * @property {string | { type?: string, url?: string, directory?: string }} [repository]
 * @property {string} [homepage]
 * @property {string | { url?: string }} [bugs]
 * @property {string} [type]
 * @property {{ node?: string }} [engines]
 * @property {unknown} [exports]
 * @property {string[]} [files]
 * @property {boolean | string[]} [sideEffects]
 * @property {string | Record<string, string>} [bin]
 */

/**
 * @param {string} text
 * @returns {unknown} the parsed JSON: the caller states what it expects
 */
function parseJson(text) {
  return JSON.parse(text);
}

/**
 * @param {string} file
 * @returns {Manifest}
 */
export function readManifest(file) {
  return /** @type {Manifest} */ (parseJson(readFileSync(file, 'utf8')));
}

/**
 * The repository's web address, from the root package.json's `repository.url`
 * (`git+https://github.com/org/repo.git` → `https://github.com/org/repo`).
 * @param {string} root the repository root
 * @returns {string}
 */
export function repositoryUrl(root) {
  const { repository } = readManifest(path.join(root, 'package.json'));
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (url === undefined) throw new Error('package.json (root): add "repository": { "type": "git", "url": "git+https://..." }');
  return url.replace(/^git\+/u, '').replace(/\.git$/u, '');
}

/**
 * @param {string} root the repository root
 * @returns {string[]} the folders (relative, '/'-separated) of the packages that are published
 */
export function publishedPackages(root) {
  const dir = path.join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'package.json')))
    .map((e) => `packages/${e.name}`)
    .filter((folder) => readManifest(path.join(root, folder, 'package.json')).private !== true);
}

/**
 * The targets of the links and images of a Markdown text, outside code blocks and code spans.
 * @param {string} markdown
 * @returns {string[]}
 */
export function markdownLinks(markdown) {
  const prose = markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gmu, '')
    .replace(/`[^`\n]*`/gu, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/gu)].map((m) => m[1] ?? '');
  const references = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gmu)].map((m) => m[1] ?? '');
  const html = [...prose.matchAll(/\b(?:href|src)="([^"]+)"/gu)].map((m) => m[1] ?? '');
  return [...inline, ...references, ...html];
}

/**
 * The problems with the links of a published README.
 * @param {string} markdown the README
 * @param {(rel: string) => boolean} inTarball whether a path relative to the package root is in its tarball
 * @param {{ repository: string, root: string | undefined }} where the repository's address, and
 *   its root on disk (links into the repository are checked against it when given)
 * @returns {string[]}
 */
export function checkReadmeLinks(markdown, inTarball, { repository, root }) {
  /** @type {string[]} */
  const problems = [];
  for (const href of markdownLinks(markdown)) {
    if (href.startsWith('#') || href.startsWith('mailto:')) continue;
    if (/^https?:\/\//u.test(href)) {
      if (root === undefined || !href.startsWith(`${repository}/`)) continue;
      const rel = href
        .slice(repository.length + 1)
        .replace(/^(?:tree|blob)\/[^/]+\/?/u, '')
        .replace(/[#?].*$/u, '');
      if (!existsSync(path.join(root, rel))) {
        problems.push(`links to ${href}, but ${rel === '' ? '(the root)' : rel} does not exist in the repository`);
      }
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:/iu.test(href)) {
      problems.push(`links to ${href}: only http(s), mailto and anchors work on the registry`);
      continue;
    }
    const rel = path.posix.normalize(href.replace(/[#?].*$/u, '')).replace(/^\.\//u, '').replace(/\/$/u, '');
    if (rel.startsWith('..') || !inTarball(rel)) {
      problems.push(
        `links to ${href}, which is not in the package's tarball (it breaks on the registry): link ${repository}/blob/main/<path> instead, or publish the file`,
      );
    }
  }
  return problems;
}

/** The block tags every published package's typedoc.json must require of its exports. */
export const REQUIRED_TAGS = ['@since', '@throws'];

/**
 * Published packages that do not require {@link REQUIRED_TAGS} yet, each with the reason. Empty
 * this list: it is a debt, not a rule.
 * @type {Readonly<Record<string, string>>}
 */
export const TAGS_PENDING = {};

/**
 * The problems with one published package's manifest, LICENSE and README (no packing needed).
 * @param {string} root the repository root
 * @param {string} folder the package folder, relative to the root
 * @returns {string[]} each problem names the file and the fix
 */
export function checkPackage(root, folder) {
  const repository = repositoryUrl(root);
  const dir = path.join(root, folder);
  const pkg = readManifest(path.join(dir, 'package.json'));
  const where = `${folder}/package.json`;
  /** @type {string[]} */
  const problems = [];
  const expect = (/** @type {boolean} */ ok, /** @type {string} */ message) => {
    if (!ok) problems.push(`${where}: ${message}`);
  };
  expect(typeof pkg.description === 'string' && pkg.description.length > 0, 'add a "description"');
  expect(pkg.license === 'MIT', `"license" is ${JSON.stringify(pkg.license)}; every @x package is "MIT"`);
  const repo = typeof pkg.repository === 'object' ? pkg.repository : undefined;
  expect(
    repo?.type === 'git' && repo.url === `git+${repository}.git` && repo.directory === folder,
    `"repository" must be { "type": "git", "url": "git+${repository}.git", "directory": "${folder}" }`,
  );
  expect(
    pkg.homepage === `${repository}/tree/main/${folder}#readme`,
    `"homepage" must be "${repository}/tree/main/${folder}#readme"`,
  );
  const bugs = typeof pkg.bugs === 'object' ? pkg.bugs.url : pkg.bugs;
  expect(bugs === `${repository}/issues`, `"bugs" must be "${repository}/issues"`);
  expect(pkg.type === 'module', '"type" must be "module" (the packages are ESM)');
  expect(typeof pkg.engines?.node === 'string', 'add "engines": { "node": ">=20.19.0" }');
  expect(pkg.exports !== undefined, 'add an "exports" map');
  expect(Array.isArray(pkg.files) && pkg.files.length > 0, 'add "files" (what the tarball holds)');
  expect(
    pkg.sideEffects === false || pkg.sideEffects === true || Array.isArray(pkg.sideEffects),
    '"sideEffects" must be stated: false, or the list of modules that have effects when loaded (a global written, a listener added)',
  );

  const documented = docEntryPoints(dir);
  const exported = sourceEntryPoints(pkg.exports);
  if (documented.join() !== exported.join()) {
    problems.push(
      `${folder}: the API reference documents ${documented.join(', ')} but the exports map has ${exported.join(', ')}; ` +
        `list them in ${folder}/typedoc.json as "entryPoints": ${JSON.stringify(exported)}`,
    );
  }

  if (!(folder in TAGS_PENDING)) {
    const requiredTags = docConfig(dir).requiredTags ?? [];
    const missing = REQUIRED_TAGS.filter((tag) => !requiredTags.includes(tag));
    if (missing.length > 0) {
      problems.push(
        `${folder}/typedoc.json: "requiredTags" lacks ${missing.join(', ')}; write "requiredTags": ${JSON.stringify(REQUIRED_TAGS)} ` +
          `(pnpm docs then fails on an export without @since, or a call that throws without @throws)`,
      );
    }
  }

  const license = path.join(dir, 'LICENSE');
  if (!existsSync(license)) {
    problems.push(`${folder}: no LICENSE; copy the root LICENSE there (npm puts it in the tarball)`);
  } else if (readFileSync(license, 'utf8') !== readFileSync(path.join(root, 'LICENSE'), 'utf8')) {
    problems.push(`${folder}/LICENSE differs from the root LICENSE; copy the root one`);
  }
  const readme = path.join(dir, 'README.md');
  if (!existsSync(readme)) {
    problems.push(`${folder}: no README.md`);
  } else {
    const inTarball = (/** @type {string} */ rel) =>
      existsSync(path.join(dir, rel)) && isPublished(rel, pkg.files ?? []);
    for (const p of checkReadmeLinks(readFileSync(readme, 'utf8'), inTarball, { repository, root })) {
      problems.push(`${folder}/README.md ${p}`);
    }
  }
  return problems;
}

/**
 * Whether a path relative to a package root is published, by its `files` list (a rough reading
 * of npm's rules: the always-included files, and entries naming the path or a folder above it;
 * negated entries exclude). The tarball check sees npm's real answer.
 * @param {string} rel
 * @param {readonly string[]} files
 * @returns {boolean}
 */
function isPublished(rel, files) {
  if (/^(?:package\.json|README(?:\.md)?|LICENSE|CHANGELOG\.md)$/iu.test(rel)) return true;
  const under = (/** @type {string} */ entry) => rel === entry || rel.startsWith(`${entry.replace(/\/$/u, '')}/`);
  return files.some((f) => !f.startsWith('!') && under(f.replace(/^\.\//u, '')));
}

/**
 * The source files behind an exports map's entries (`./dist/x.js` → `src/x.ts`; a bundle built
 * from it by scripts/bundle.mjs, `./dist/bundle/x.js`, too), sorted.
 * @param {unknown} exports
 * @returns {string[]}
 */
export function sourceEntryPoints(exports) {
  const targets = exportTargets(exports).filter((t) => /^\.\/dist\/.*\.js$/u.test(t));
  return [...new Set(targets.map((t) => t.replace(/^\.\/dist\/(?:bundle\/)?/u, 'src/').replace(/\.js$/u, '.ts')))].sort();
}

/**
 * The entry points `pnpm docs` documents for a package: its typedoc.json's, else src/index.ts.
 * @param {string} dir the package folder
 * @returns {string[]} sorted
 */
function docEntryPoints(dir) {
  const entryPoints = docConfig(dir).entryPoints ?? ['src/index.ts'];
  return entryPoints.map((e) => e.replace(/^\.\//u, '')).sort();
}

/**
 * A package's typedoc.json (JSON with comments), or `{}` when it has none.
 * @param {string} dir the package folder
 * @returns {{ entryPoints?: string[], requiredTags?: string[] }}
 */
function docConfig(dir) {
  const file = path.join(dir, 'typedoc.json');
  if (!existsSync(file)) return {};
  /** @type {{ config?: unknown, error?: ts.Diagnostic }} */
  const parsed = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  if (parsed.error !== undefined) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, '\n')}`);
  return /** @type {{ entryPoints?: string[], requiredTags?: string[] }} */ (parsed.config);
}

/**
 * Every file path an `exports` map (or a `bin`) points to.
 * @param {unknown} value
 * @returns {string[]}
 */
export function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap((v) => exportTargets(v));
}

/**
 * The problems with a packed tarball's contents.
 * @param {Map<string, Buffer>} files the tarball's files, by path relative to the package root
 * @param {{ repository: string, license: string }} expected the repository's address and the root LICENSE text
 * @returns {string[]}
 */
export function checkTarball(files, { repository, license }) {
  /** @type {string[]} */
  const problems = [];
  const text = (/** @type {string} */ rel) => files.get(rel)?.toString('utf8');
  const manifestText = text('package.json');
  if (manifestText === undefined) return ['no package.json'];
  const pkg = /** @type {Manifest} */ (parseJson(manifestText));
  const has = (/** @type {string} */ rel) => files.has(rel.replace(/^\.\//u, ''));

  if (text('LICENSE') !== license) problems.push('LICENSE is missing or differs from the root LICENSE');
  const readme = text('README.md');
  if (readme === undefined) problems.push('README.md is missing');
  else {
    const dirs = new Set([...files.keys()].flatMap((f) => f.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'))));
    const inTarball = (/** @type {string} */ rel) => files.has(rel) || dirs.has(rel);
    for (const p of checkReadmeLinks(readme, inTarball, { repository, root: undefined })) problems.push(`README.md ${p}`);
  }

  for (const target of [...exportTargets(pkg.exports), ...exportTargets(pkg.bin)]) {
    if (target.includes('*')) continue;
    if (!has(target)) problems.push(`package.json points to ${target}, which is not in the tarball`);
  }
  for (const entry of Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []) {
    const pattern = new RegExp(
      `^${entry.replace(/^\.\//u, '').replace(/[.+?^${}()|[\]\\]/gu, '\\$&').replace(/\*\*\/?/gu, '.*').replace(/(?<!\.)\*/gu, '[^/]*')}$`,
      'u',
    );
    if (![...files.keys()].some((f) => pattern.test(f))) {
      problems.push(`"sideEffects" names ${entry}, which matches no file in the tarball (renamed? update the list)`);
    }
  }

  for (const [rel, content] of files) {
    if (!rel.endsWith('.js.map')) continue;
    const map = /** @type {{ sources?: string[], sourcesContent?: (string | null)[] }} */ (parseJson(content.toString('utf8')));
    const sources = map.sources ?? [];
    if (sources.length === 0) continue;
    if (map.sourcesContent?.length !== sources.length || map.sourcesContent.some((s) => typeof s !== 'string')) {
      problems.push(`${rel} has no sourcesContent: set "inlineSources": true (tsconfig.base.json)`);
    }
    for (const source of sources) {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), source));
      if (!files.has(resolved)) {
        problems.push(`${rel} names the source ${source} (${resolved}), which is not in the tarball: publish src`);
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const folders = publishedPackages(root);
  const problems = folders.flatMap((folder) => checkPackage(root, folder));
  for (const p of problems) console.error(`packages: ${p}`);
  if (problems.length > 0) {
    console.error(`packages: ${String(problems.length)} problem(s)`);
    process.exitCode = 1;
  } else {
    console.log(`packages: ${String(folders.length)} published package(s) carry what the registry needs`);
  }
}
