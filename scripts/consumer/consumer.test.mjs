// The packages as a user gets them: every published package is packed (`pnpm pack`), its tarball
// checked (scripts/packages.mjs checkTarball), and all of them installed into a scratch project
// outside the repository, which then
//  - runs a smoke script from plain ESM and from CommonJS (require() of ESM, Node >= 20.19);
//  - type-checks a TypeScript file against them with tsc, nodenext and bundler resolution;
//  - runs a .ts task module on both pools under tsx (docs/typescript.md);
//  - bundles a small app with esbuild and runs it on both pools (docs/bundling.md).
// A missing file, a broken exports map or a dependency left out of package.json fails here.
// Needs the packages built (pnpm test runs it after the build). typescript, @types/node, tsx and
// esbuild are linked from the workspace, and the only registry package, tinypool, comes from
// pnpm's store, so this needs no download when the workspace is installed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarball, publishedPackages, readManifest, repositoryUrl } from '../packages.mjs';
import { repoRoot } from '../summary.mjs';

const fixtures = fileURLToPath(new URL('fixtures/', import.meta.url));
const published = publishedPackages(repoRoot).map((folder) => ({
  folder,
  name: String(readManifest(path.join(repoRoot, folder, 'package.json')).name),
}));

/**
 * @typedef {object} Run
 * @property {number | null} status
 * @property {string} output stdout and stderr together
 */

/**
 * Runs a command to its end (or its timeout).
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 * @param {number} [timeout] milliseconds
 * @returns {Run}
 */
function run(command, args, cwd, timeout = 60_000) {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, NODE_OPTIONS: undefined };
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  const error = result.error === undefined ? '' : `\n${result.error.message}`;
  return { status: result.status, output: `${result.stdout}${result.stderr}${error}` };
}

/**
 * pnpm, as the running `pnpm test` found it (or from PATH).
 * @returns {[string, string[]]} the command and its leading arguments
 */
function pnpm() {
  const execpath = process.env.npm_execpath;
  if (execpath !== undefined && /pnpm\.c?js$/u.test(execpath)) return [process.execPath, [execpath]];
  return ['pnpm', []];
}

/**
 * @param {string} dir
 * @param {string} [base]
 * @returns {Map<string, Buffer>} every file below dir, by path relative to it
 */
function readTree(dir, base = dir) {
  /** @type {Map<string, Buffer>} */
  const files = new Map();
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) for (const [rel, content] of readTree(full, base)) files.set(rel, content);
    else files.set(path.relative(base, full).split(path.sep).join('/'), readFileSync(full));
  }
  return files;
}

let scratch = '';
let app = '';
/** @type {Map<string, string>} package name → its tarball */
const tarballs = new Map();
/** @type {Map<string, Map<string, Buffer>>} package name → the tarball's files */
const contents = new Map();
/** What went wrong while setting up, shown by every test instead of a vague failure. */
let setupError = '';

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'x-consumer-'));
  const packed = path.join(scratch, 'tarballs');
  mkdirSync(packed);
  const [command, lead] = pnpm();
  for (const { folder, name } of published) {
    const result = run(command, [...lead, 'pack', '--pack-destination', packed], path.join(repoRoot, folder));
    const tarball = readdirSync(packed).find(
      (f) => f.startsWith(`${name.slice(1).replace('/', '-')}-`) && f.endsWith('.tgz'),
    );
    if (result.status !== 0 || tarball === undefined) {
      setupError = `pnpm pack in ${folder} failed:\n${result.output}`;
      return;
    }
    tarballs.set(name, path.join(packed, tarball));
    const unpacked = path.join(scratch, 'unpacked', tarball);
    mkdirSync(unpacked, { recursive: true });
    const untar = run('tar', ['-xzf', path.join(packed, tarball), '-C', unpacked], scratch);
    if (untar.status !== 0) {
      setupError = `tar could not unpack ${tarball}:\n${untar.output}`;
      return;
    }
    contents.set(name, readTree(path.join(unpacked, 'package')));
  }

  app = path.join(scratch, 'app');
  cpSync(fixtures, app, { recursive: true });
  const link = (/** @type {string} */ dep) => `link:${path.join(repoRoot, 'node_modules', dep)}`;
  const fromTarballs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'x-consumer',
        private: true,
        type: 'module',
        dependencies: fromTarballs,
        devDependencies: Object.fromEntries(['typescript', '@types/node', 'tsx', 'esbuild'].map((d) => [d, link(d)])),
        // the packed packages depend on each other by version (not on the registry): use the tarballs
        pnpm: { overrides: fromTarballs },
      },
      null,
      2,
    ),
  );
  const install = run(
    command,
    [...lead, 'install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
    app,
    180_000,
  );
  if (install.status !== 0) setupError = `pnpm install of the tarballs failed:\n${install.output}`;
}, 240_000);

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs a command in the scratch app and expects it to succeed.
 * @param {string} command
 * @param {string[]} args
 * @returns {string} its output
 */
function inApp(command, args) {
  expect(setupError).toBe('');
  const result = run(command, args, app);
  expect(result.status, `${command} ${args.join(' ')}\n${result.output}`).toBe(0);
  return result.output;
}

const bin = (/** @type {string} */ name) => path.join(app, 'node_modules', '.bin', name);

describe('the packed tarballs', () => {
  it.each(published.map((p) => p.name))('%s carries its files (exports, LICENSE, README, sources)', (name) => {
    expect(setupError).toBe('');
    const files = contents.get(name);
    if (files === undefined) throw new Error(`${name} was not packed`);
    const problems = checkTarball(files, {
      repository: repositoryUrl(repoRoot),
      license: readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8'),
    });
    expect(problems).toEqual([]);
  });
});

describe('installed into a project outside the repository', () => {
  it('runs from plain ESM (smoke.mjs)', () => {
    expect(inApp(process.execPath, ['smoke.mjs'])).toContain('smoke.mjs ok');
  });

  it('runs from CommonJS through require() (smoke.cjs)', () => {
    expect(inApp(process.execPath, ['smoke.cjs'])).toContain('smoke.cjs ok');
  });

  it.each(['nodenext', 'bundler'])('type-checks with tsc, moduleResolution %s', (resolution) => {
    inApp(bin('tsc'), ['-p', `tsconfig.${resolution}.json`]);
  });

  it('runs a .ts task module on both pools under tsx (loader/main.ts)', () => {
    expect(inApp(bin('tsx'), ['loader/main.ts'])).toContain('tsx ok');
  });

  it('bundles with esbuild (@x/* external) and runs on both pools (bundle/main.ts)', () => {
    inApp(bin('esbuild'), [
      'bundle/main.ts',
      'bundle/tasks.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--external:@x/*',
      '--outdir=out',
      '--log-level=warning',
    ]);
    const bundle = readFileSync(path.join(app, 'out', 'main.js'), 'utf8');
    expect(bundle).toContain('from "@x/concurrent"');
    expect(inApp(process.execPath, ['out/main.js'])).toContain('bundle ok');
  });
});
