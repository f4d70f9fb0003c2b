// The layer table: the single source of truth for which workspace package may import which.
// eslint.config.js turns it into per-folder `no-restricted-imports` rules, and
// scripts/check-layers.mjs checks package.json dependencies, tsconfig references and every
// import specifier in the sources against it. A new package or app must be added here first.
//
//   L0  @x/future
//   L1  @x/diagnostics                  -> future
//       @x/pool-kit                     -> future   (the engine both pools share)
//   L2  @x/thread-pool, @x/process-pool -> future, diagnostics, pool-kit   (never each other)
//       @x/distributed                  -> future, pool-kit       (never a pool)
//   L3  @x/concurrent                   -> everything below
//       @x/integration (private tests)  -> everything below
//   L4  @x/reliability (private tests)  -> the published packages (chaos, fuzzing, soak)
//   apps/sample                         -> @x/concurrent only
//   apps/bench                          -> what it measures

/**
 * @typedef {object} Layer
 * @property {string} name       the package name its package.json must have
 * @property {number} level      0 = bottom; a package may only use packages of a lower level
 * @property {readonly string[]} mayUse  the workspace packages it may depend on and import
 */

/** @type {Readonly<Record<string, Layer>>} keyed by folder, relative to the repository root */
export const layers = {
  'packages/future': { name: '@x/future', level: 0, mayUse: [] },
  'packages/diagnostics': { name: '@x/diagnostics', level: 1, mayUse: ['@x/future'] },
  'packages/pool-kit': { name: '@x/pool-kit', level: 1, mayUse: ['@x/future'] },
  'packages/thread-pool': {
    name: '@x/thread-pool',
    level: 2,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit'],
  },
  'packages/process-pool': {
    name: '@x/process-pool',
    level: 2,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit'],
  },
  'packages/distributed': { name: '@x/distributed', level: 2, mayUse: ['@x/future', '@x/pool-kit'] },
  'packages/concurrent': {
    name: '@x/concurrent',
    level: 3,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit', '@x/thread-pool', '@x/process-pool', '@x/distributed'],
  },
  'packages/integration': {
    name: '@x/integration',
    level: 4,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit', '@x/thread-pool', '@x/process-pool', '@x/concurrent'],
  },
  'packages/reliability': {
    name: '@x/reliability',
    level: 4,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit', '@x/thread-pool', '@x/process-pool', '@x/concurrent'],
  },
  'apps/sample': { name: '@x/sample', level: 4, mayUse: ['@x/concurrent'] },
  'apps/bench': {
    name: '@x/bench',
    level: 4,
    mayUse: ['@x/future', '@x/diagnostics', '@x/pool-kit', '@x/thread-pool', '@x/process-pool', '@x/distributed', '@x/concurrent'],
  },
};

/** The scope every workspace package is published under. */
export const scope = '@x';

/** Matches a deep import into a workspace package's build or source folder. */
export const deepImport = /^@x\/[^/]+\/(?:src|dist)(?:\/|$)/u;

/**
 * The regular expression (as source text) matching every `@x/...` specifier that code in
 * `folder` must not import: any workspace package other than itself and its `mayUse` list.
 * @param {string} folder a key of {@link layers}
 * @returns {string}
 */
export function forbiddenImportSource(folder) {
  const layer = layers[folder];
  if (layer === undefined) throw new Error(`${folder} is not in scripts/layers.mjs`);
  const allowed = [layer.name, ...layer.mayUse].map((n) => n.slice(scope.length + 1));
  return `^${scope}/(?!(?:${allowed.join('|')})(?:/|$))`;
}
