#!/usr/bin/env node
// Checks that no package has an import cycle inside its src/ folder. A cycle makes the order in
// which modules evaluate depend on which one is imported first (a class used before its module
// ran is a TDZ error in one entry and fine in another), and it means the files are not layered:
// shared types and brands belong in a leaf file both sides import.
// Every relative import counts, `import type` included: a type-only cycle is the same tangle,
// one edit away from a runtime one.
// Usage: node scripts/check-cycles.mjs   (exits 1 and prints each cycle when there are any)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOURCE_EXT = /\.(?:[cm]?[jt]s|tsx)$/u;

/**
 * @param {string} dir
 * @returns {string[]} every source file below dir (absolute paths)
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE_EXT.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/**
 * The source file a relative specifier names, or undefined when it leaves the set (a `.js`
 * specifier names the `.ts` file next to it, as TypeScript's nodenext resolution does).
 * @param {string} from the importing file
 * @param {string} spec a relative specifier
 * @param {Set<string>} files the files of the graph
 * @returns {string | undefined}
 */
function resolveRelative(from, spec, files) {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.[cm]?js$/u, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.mts`,
    `${stem}.cts`,
    `${stem}.tsx`,
    `${stem}.js`,
    `${stem}.mjs`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.js'),
  ];
  return candidates.find((c) => files.has(c));
}

/**
 * The import graph of the source files below `dir`: file -> the files it imports (relative
 * imports of any kind: static, type-only, dynamic, re-export, require).
 * @param {string} dir
 * @returns {Map<string, string[]>}
 */
export function importGraph(dir) {
  const files = new Set(sourceFiles(dir));
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolveRelative(file, spec, files))
      .filter((t) => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The cycles of a graph: one per strongly connected component with more than one file (or a file
 * importing itself), each given as a path that starts and ends at the same file.
 * @param {Map<string, string[]>} graph
 * @returns {string[][]}
 */
export function findCycles(graph) {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  let index = 0;
  /** @type {Map<string, number>} */
  const indices = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const components = [];
  for (const start of [...graph.keys()].sort()) {
    if (indices.has(start)) continue;
    /** @type {{ node: string, next: number }[]} */
    const frames = [{ node: start, next: 0 }];
    indices.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = /** @type {{ node: string, next: number }} */ (frames.at(-1));
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = /** @type {string} */ (edges[frame.next++]);
        if (!indices.has(to)) {
          indices.set(to, index);
          low.set(to, index++);
          stack.push(to);
          onStack.add(to);
          frames.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(Number(low.get(frame.node)), Number(indices.get(to))));
        }
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent !== undefined) low.set(parent.node, Math.min(Number(low.get(parent.node)), Number(low.get(frame.node))));
      if (low.get(frame.node) === indices.get(frame.node)) {
        /** @type {string[]} */
        const component = [];
        let member;
        do {
          member = /** @type {string} */ (stack.pop());
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => cycleThrough(graph, new Set(component)));
}

/**
 * One concrete cycle inside a strongly connected component: a shortest path from its first file
 * (in sorted order) back to itself.
 * @param {Map<string, string[]>} graph
 * @param {Set<string>} component
 * @returns {string[]}
 */
function cycleThrough(graph, component) {
  const start = /** @type {string} */ ([...component].sort()[0]);
  /** @type {Map<string, string>} */
  const previous = new Map();
  const queue = [start];
  // for-of visits what is pushed while it runs: a breadth-first walk.
  for (const node of queue) {
    for (const to of graph.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const cycle = [start];
        for (let at = node; at !== start; at = /** @type {string} */ (previous.get(at))) cycle.splice(1, 0, at);
        cycle.push(start);
        return cycle;
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/**
 * Checks the src/ folder of every package below `root`/packages.
 * @param {string} root the repository root
 * @returns {string[]} one problem per cycle, naming its files in import order and the fix
 */
export function checkCycles(root) {
  const packagesDir = path.join(root, 'packages');
  if (!existsSync(packagesDir)) return [];
  /** @type {string[]} */
  const problems = [];
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const src = path.join(packagesDir, entry.name, 'src');
    if (!entry.isDirectory() || !existsSync(src)) continue;
    for (const cycle of findCycles(importGraph(src))) {
      const names = cycle.map((file) => path.relative(src, file).split(path.sep).join('/'));
      problems.push(
        `packages/${entry.name}/src: import cycle ${names.join(' → ')}. ` +
          'Move what both sides need (types, brands, constants) into a leaf file that imports neither.',
      );
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkCycles(root);
  for (const p of problems) console.error(`cycles: ${p}`);
  if (problems.length > 0) {
    console.error(`cycles: ${String(problems.length)} import cycle(s)`);
    process.exitCode = 1;
  } else {
    console.log('cycles: no import cycle in any package src/');
  }
}
