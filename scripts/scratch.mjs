// Scratch folders for the workspace tests: a small file tree in the OS temp folder, removed
// after each test (the test file calls removeScratch() in afterEach).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** @type {string[]} */
const made = [];

/**
 * Writes a file tree: files maps a relative path to its content (anything but a string is
 * written as JSON).
 * @param {string} prefix the temp folder's name prefix
 * @param {Record<string, unknown>} files
 * @returns {string} its root
 */
export function scratchTree(prefix, files) {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

/** Removes every tree scratchTree() made. */
export function removeScratch() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
