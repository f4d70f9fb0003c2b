#!/usr/bin/env node
// The second step of a package's build (after `tsc -b`): bundles entry files of its `dist` into
// `dist/bundle/`, one file per entry (plus shared chunks), with the source maps carried through.
// A fresh process or thread then loads one file instead of one per module: loading ~25 small ES
// modules costs several times what one file of the same code does (issue 13, W5).
//
//   node ../../scripts/bundle.mjs index.js testing/index.js [--inline @x/pool-kit] [--link @x/future/runtime] [--cjs]
//
// Imports of other packages stay imports (so every importer in a process shares one copy of each
// package), except those named with --inline, whose code goes into the bundle.
//
// --link <specifier>: a worker thread's entry imports that package once, at load, from the URL
// its starter resolved already, when it passes one in `workerData.links[specifier]`; else from
// the specifier itself. Resolving a package specifier costs a fresh thread ~1 ms of CPU (Node's
// ES module resolver reading package.json files; the pool's thread start measured 157 -> 151M
// instructions with callgrind), which the pool, whose thread resolved it once, spares every
// thread it starts.
//
// --cjs: each entry becomes one CommonJS script, `dist/bundle/<entry>.cjs` (no chunks), run by a
// starter of the package's own that compiles it with V8's code cache (an ES module gets none in
// Node 20) inside a function whose parameter `xLinked` holds the namespaces of the linked
// packages, which the starter loaded from the URL its pool resolved (@x/thread-pool's
// thread-entry.cts: `workerData.links`; @x/process-pool's child-entry.ts: the child's argument
// `--x-link=<specifier>=<url>`, which it takes out of `process.argv` before any task's code runs).
// Such a bundle reads no links itself: the starter does.
//
// --minify-whitespace: ES module bundles without whitespace and comments too (--cjs bundles always
// are): a fresh thread or process scans every character of what it loads (the source maps keep
// the code readable in stack traces and debuggers).
//
// --core <entry>: the code `<entry>` shares with the other entries (all of its code: the build
// fails otherwise) is one file of a stable name, `dist/bundle/<entry>-core.js` (for runtime.js:
// runtime-core.js), which exports every name `<entry>` exports, with the same values, and which
// the other entries import. A worker that needs only that code loads that one file (one module
// instead of two: ~3.5M instructions less per fresh thread); a program importing `<entry>` gets
// the same module instance behind it.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
/** @type {Set<string>} */
const inline = new Set();
/** @type {Set<string>} */
const link = new Set();
/** @type {string[]} */
const entries = [];
let cjs = false;
let minifyWhitespace = false;
/** @type {string | undefined} */
let core;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (arg === '--inline') inline.add(args[++i] ?? '');
  else if (arg === '--core') core = args[++i] ?? '';
  else if (arg === '--minify-whitespace') minifyWhitespace = true;
  else if (arg === '--link') link.add(args[++i] ?? '');
  else if (arg === '--cjs') cjs = true;
  else entries.push(arg);
}
if (entries.length === 0) {
  console.error('usage: node scripts/bundle.mjs <entry in dist>... [--inline <package>] [--link <specifier>] [--cjs] [--core <entry>] [--minify-whitespace]');
  process.exit(2);
}
const dist = path.resolve('dist');
for (const entry of entries) {
  if (!existsSync(path.join(dist, entry))) {
    console.error(`bundle: dist/${entry} does not exist: run tsc -b first`);
    process.exit(1);
  }
}

/** @type {import('esbuild').Plugin} */
const externals = {
  name: 'packages-external',
  setup(b) {
    // bare specifiers (packages, node: builtins) stay imports unless inlined
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      if (link.has(a.path) && a.namespace !== 'link') return { path: a.path, namespace: 'link' };
      const name = a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : (a.path.split('/')[0] ?? a.path);
      return inline.has(name) ? undefined : { path: a.path, external: true };
    });
  },
};

/**
 * The names a linked package exports (its module loaded here, from this package's directory).
 * @param {string} specifier
 */
async function exportNames(specifier) {
  const file = createRequire(path.resolve('package.json')).resolve(specifier);
  /** @type {unknown} */
  const loaded = await import(pathToFileURL(file).href);
  return Object.keys(/** @type {object} */ (loaded)).filter((name) => name !== 'default');
}

/** @type {import('esbuild').Plugin} */
const links = {
  name: 'packages-linked',
  setup(b) {
    b.onLoad({ filter: /.*/, namespace: 'link' }, async (a) => {
      const spec = JSON.stringify(a.path);
      const names = await exportNames(a.path);
      const load = cjs
        ? [`const linked = xLinked[${spec}];`]
        : [`import { workerData } from 'node:worker_threads';`, `const linked = await import(workerData?.links?.[${spec}] ?? ${spec});`];
      return {
        loader: 'js',
        resolveDir: dist,
        contents: [...load, `export const { ${names.join(', ')} } = linked;`].join('\n'),
      };
    });
  },
};

// nothing left over from an earlier build (chunk names change with their content)
rmSync(path.join(dist, 'bundle'), { recursive: true, force: true });

await build({
  absWorkingDir: dist,
  entryPoints: entries,
  outdir: path.join(dist, 'bundle'),
  outbase: dist,
  bundle: true,
  ...(cjs ? { format: 'cjs', outExtension: { '.js': '.cjs' }, minifyWhitespace: true } : { format: 'esm', splitting: true, minifyWhitespace }),
  platform: 'node',
  target: 'node20',
  // A bundle with another package's code inlined gets no source map: it would name that
  // package's sources, which this package's tarball does not carry (scripts/packages.mjs checks
  // that every source a published map names is in the tarball). Its frames in a stack trace name
  // the bundle file and the functions' own names: no bundle here minifies identifiers (the --cjs
  // ones and --minify-whitespace drop only whitespace and comments, see above).
  sourcemap: inline.size === 0 ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [links, externals],
});

if (core !== undefined) await makeCore(core);

/**
 * Renames the one chunk `entry`'s bundle imports to `<entry>-core.js`, points every bundle file at
 * the new name, and checks that it exports all `entry` exports (see --core above).
 * @param {string} entry
 */
async function makeCore(entry) {
  const out = path.join(dist, 'bundle');
  const entryFile = path.join(out, entry);
  // every module the entry's bundle imports (static imports and re-exports, minified or not)
  const specifiers = [...readFileSync(entryFile, 'utf8').matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{][^;"]*?\bfrom\s*)?"([^"]+)"/gmu)].map((m) => m[1] ?? '');
  const chunks = [...new Set(specifiers)];
  if (chunks.length !== 1 || !/^\.\/chunk-[\w-]+\.js$/u.test(chunks[0] ?? '')) {
    throw new Error(`bundle --core ${entry}: dist/bundle/${entry} must import exactly one chunk and nothing else (found: ${chunks.join(', ') || 'none'})`);
  }
  const chunk = (chunks[0] ?? '').slice(2);
  const name = `${entry.replace(/\.js$/u, '')}-core.js`;
  const files = (/** @type {string[]} */ (readdirSync(out, { recursive: true, encoding: 'utf8' }))).filter((f) => f.endsWith('.js'));
  for (const file of files) {
    const full = path.join(out, file);
    const text = readFileSync(full, 'utf8');
    const rel = path.relative(path.dirname(full), path.join(out, chunk)).split(path.sep).join('/');
    const from = rel.startsWith('.') ? rel : `./${rel}`;
    const to = from.slice(0, from.length - chunk.length) + name;
    const next = file === chunk ? text.replace(`sourceMappingURL=${chunk}.map`, `sourceMappingURL=${name}.map`) : text.split(`"${from}"`).join(`"${to}"`);
    if (next !== text) writeFileSync(full, next);
  }
  renameSync(path.join(out, chunk), path.join(out, name));
  if (existsSync(path.join(out, `${chunk}.map`))) {
    /** @type {unknown} */
    const parsed = JSON.parse(readFileSync(path.join(out, `${chunk}.map`), 'utf8'));
    const map = /** @type {{ file?: unknown }} */ (parsed);
    if (typeof map.file === 'string') map.file = name;
    writeFileSync(path.join(out, `${name}.map`), JSON.stringify(map));
    rmSync(path.join(out, `${chunk}.map`));
  }
  /** @type {unknown} */
  const coreLoaded = await import(pathToFileURL(path.join(out, name)).href);
  /** @type {unknown} */
  const entryLoaded = await import(pathToFileURL(entryFile).href);
  const coreModule = /** @type {Record<string, unknown>} */ (coreLoaded);
  const entryModule = /** @type {Record<string, unknown>} */ (entryLoaded);
  const lacking = Object.keys(entryModule).filter((key) => coreModule[key] !== entryModule[key]);
  if (lacking.length > 0) throw new Error(`bundle --core ${entry}: dist/bundle/${name} does not export ${lacking.join(', ')} as ${entry} does`);
}
