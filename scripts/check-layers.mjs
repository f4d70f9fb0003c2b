#!/usr/bin/env node
// Checks the layer rule of scripts/layers.mjs mechanically, everywhere it can be broken:
//  - the table itself only points down (a package may use only lower levels);
//  - every folder in packages/ and apps/ is in the table, under the name the table gives it;
//  - package.json dependencies of every kind name only allowed @x packages, via workspace:;
//  - tsconfig.json references exactly the @x runtime dependencies (so `tsc -b` builds in
//    order) and test/tsconfig.json only its package and allowed ones;
//  - the root tsconfig.json (the solution) references every package and test project;
//  - every import in the sources (static, dynamic, re-export, require) goes to an allowed
//    package entry, never into src/ or dist/ of a package, never into a sibling by a relative path
//    (a package's test/ files may import the shared test-only helpers of scripts/test-utils/).
// Usage: node scripts/check-layers.mjs   (exits 1 and lists the problems when there are any)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { deepImport, layers, scope } from './layers.mjs';

const DEP_FIELDS = /** @type {const} */ ([
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
]);
const SOURCE_EXT = /\.(?:[cm]?[jt]s|tsx)$/u;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'test-results', '.turbo']);
/** Test-only helpers several packages' tests share; no package's src/ may import them. */
const TEST_UTILS = 'scripts/test-utils/';

/**
 * The parts of package.json and tsconfig.json files this script reads.
 * @typedef {object} JsonFile
 * @property {unknown} [name]
 * @property {{ path: string }[]} [references]
 * @property {Record<string, string>} [dependencies]
 * @property {Record<string, string>} [peerDependencies]
 * @property {Record<string, string>} [optionalDependencies]
 * @property {Record<string, string>} [devDependencies]
 */

/**
 * Reads a JSON file that may have comments (tsconfig.json does).
 * @param {string} file
 * @returns {JsonFile}
 */
function readJsonc(file) {
  /** @type {{ config?: unknown, error?: ts.Diagnostic }} */
  const parsed = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  if (parsed.error !== undefined) {
    throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, '\n')}`);
  }
  return /** @type {JsonFile} */ (parsed.config);
}

/**
 * @param {string} dir
 * @returns {string[]} every source file below dir, skipping build output and dependencies
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourceFiles(path.join(dir, entry.name)));
    } else if (SOURCE_EXT.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path.join(dir, entry.name));
    }
  }
  return out;
}

/**
 * @param {string} root the repository root
 * @returns {string[]} workspace folders (relative, '/'-separated) that have a package.json
 */
function workspaceFolders(root) {
  return ['packages', 'apps'].flatMap((base) => {
    const dir = path.join(root, base);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'package.json')))
      .map((e) => `${base}/${e.name}`);
  });
}

/**
 * The problems with the layer table itself.
 * @param {typeof layers} table
 * @returns {string[]}
 */
export function checkTable(table) {
  const byName = new Map(Object.values(table).map((l) => [l.name, l]));
  return Object.entries(table).flatMap(([folder, layer]) =>
    layer.mayUse.flatMap((used) => {
      const target = byName.get(used);
      if (target === undefined) return [`scripts/layers.mjs: ${folder} may use ${used}, which is not in the table`];
      return target.level < layer.level
        ? []
        : [
            `scripts/layers.mjs: ${layer.name} (level ${String(layer.level)}) may not use ${used} (level ${String(target.level)}): layers only point down`,
          ];
    }),
  );
}

/**
 * Checks one repository against the layer table.
 * @param {string} root the repository root
 * @param {typeof layers} [table] the layer table (tests pass their own)
 * @returns {string[]} the problems found, each naming the file and the fix; empty when all is well
 */
export function checkLayers(root, table = layers) {
  const problems = checkTable(table);
  const folderOf = new Map(Object.entries(table).map(([folder, l]) => [l.name, folder]));
  const folders = workspaceFolders(root);

  /** @type {Set<string>} tsconfig projects the solution file must reference */
  const projects = new Set();

  for (const folder of folders) {
    const layer = table[folder];
    if (layer === undefined) {
      problems.push(
        `${folder}: not in the layer table. Add it to scripts/layers.mjs with the @x packages it may use.`,
      );
      continue;
    }
    const allowed = new Set([layer.name, ...layer.mayUse]);
    const dir = path.join(root, folder);
    const pkg = readJsonc(path.join(dir, 'package.json'));
    if (pkg.name !== layer.name) {
      problems.push(
        `${folder}/package.json: name is ${JSON.stringify(pkg.name)}, the layer table (scripts/layers.mjs) says "${layer.name}".`,
      );
    }

    // 1. package.json dependencies
    /** @type {Set<string>} @x packages this one uses at run time */
    const runtimeDeps = new Set();
    /** @type {Set<string>} @x packages this one declares in any field */
    const declared = new Set();
    for (const field of DEP_FIELDS) {
      for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
        if (!name.startsWith(`${scope}/`)) continue;
        declared.add(name);
        if (field !== 'devDependencies') runtimeDeps.add(name);
        if (name === layer.name || !allowed.has(name)) {
          problems.push(
            `${folder}/package.json: ${field} has ${name}, but ${layer.name} may depend on ${describe(layer.mayUse)} (scripts/layers.mjs).`,
          );
        } else if (!spec.startsWith('workspace:')) {
          problems.push(`${folder}/package.json: ${field}.${name} is "${spec}"; use "workspace:^".`);
        }
      }
    }

    // 2. tsconfig references
    /**
     * @param {string} configFile
     * @returns {string[]} referenced folders, relative to the root
     */
    const referencesOf = (configFile) =>
      (readJsonc(configFile).references ?? []).map((r) =>
        toRelative(root, path.resolve(path.dirname(configFile), r.path)),
      );
    const tsconfig = path.join(dir, 'tsconfig.json');
    if (existsSync(tsconfig)) {
      projects.add(folder);
      const refs = referencesOf(tsconfig);
      for (const ref of refs) {
        const name = table[ref]?.name;
        if (name === undefined || !runtimeDeps.has(name)) {
          problems.push(
            `${folder}/tsconfig.json: references ${ref}, which is not one of its @x dependencies in package.json.`,
          );
        }
      }
      for (const name of runtimeDeps) {
        const target = folderOf.get(name);
        if (target !== undefined && existsSync(path.join(root, target, 'tsconfig.json')) && !refs.includes(target)) {
          problems.push(
            `${folder}/tsconfig.json: depends on ${name} but does not reference it; add { "path": "${path.posix.relative(folder, target)}" } to "references".`,
          );
        }
      }
    }
    const testConfig = path.join(dir, 'test', 'tsconfig.json');
    if (existsSync(testConfig)) {
      projects.add(`${folder}/test`);
      for (const ref of referencesOf(testConfig)) {
        const name = table[ref]?.name;
        if (ref !== folder && (name === undefined || !declared.has(name))) {
          problems.push(
            `${folder}/test/tsconfig.json: references ${ref}, which is neither its package nor one of its @x dependencies.`,
          );
        }
      }
    }

    // 3. imports in the sources
    for (const file of sourceFiles(dir)) {
      const rel = toRelative(root, file);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: spec } of importedFiles) {
        if (spec.startsWith(`${scope}/`)) {
          const name = spec.split('/').slice(0, 2).join('/');
          if (deepImport.test(spec)) {
            problems.push(`${rel}: imports "${spec}"; import the package entry (${name}), not its src/ or dist/.`);
          } else if (!allowed.has(name)) {
            problems.push(`${rel}: imports ${name}, but ${layer.name} may use ${describe(layer.mayUse)} (scripts/layers.mjs).`);
          }
        } else if (spec.startsWith('.')) {
          const target = toRelative(root, path.resolve(path.dirname(file), spec));
          const testUtils = rel.startsWith(`${folder}/test/`) && target.startsWith(TEST_UTILS);
          if (target !== folder && !target.startsWith(`${folder}/`) && !testUtils) {
            problems.push(
              `${rel}: imports "${spec}", which leaves ${folder}; import the other package by its name.`,
            );
          }
        }
      }
    }
  }

  // 4. the solution file
  const solution = path.join(root, 'tsconfig.json');
  if (existsSync(solution)) {
    const refs = new Set(
      (readJsonc(solution).references ?? []).map((r) =>
        toRelative(root, path.resolve(root, r.path)),
      ),
    );
    for (const project of projects) {
      if (!refs.has(project)) {
        problems.push(`tsconfig.json: add { "path": "${project}" } to "references" so \`tsc -b\` builds and checks it.`);
      }
    }
  }
  return problems;
}

/**
 * @param {readonly string[]} names
 * @returns {string}
 */
function describe(names) {
  return names.length === 0 ? 'no other @x package' : `only ${names.join(', ')}`;
}

/**
 * @param {string} root
 * @param {string} file
 * @returns {string}
 */
function toRelative(root, file) {
  return path.relative(root, file).split(path.sep).join('/');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  for (const p of problems) console.error(`layers: ${p}`);
  if (problems.length > 0) {
    console.error(`layers: ${String(problems.length)} problem(s)`);
    process.exitCode = 1;
  } else {
    console.log(`layers: ${String(workspaceFolders(root).length)} workspace package(s) follow scripts/layers.mjs`);
  }
}
