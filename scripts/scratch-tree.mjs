// Scratch folders for the workspace tests: small repositories written file by file, removed
// after each test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * Call at the top of a test file. Returns a function that writes a scratch tree (files maps a
 * relative path to its content; objects are written as JSON) and returns its root; every tree is
 * removed after the test that made it.
 * @param {string} prefix the folder name prefix, e.g. 'x-layers-'
 * @returns {(files: Record<string, unknown>) => string}
 */
export function scratchTrees(prefix) {
  /** @type {string[]} */
  const made = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const root = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(root);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return root;
  };
}
