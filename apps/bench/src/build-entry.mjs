// Where a build's packages are, for the scripts that measure builds side by side (--build name=DIR).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The entry file of `@x/<name>` as the bench app of the repo at `root` resolves it.
 * @param {string} root
 * @param {string} name
 * @returns {string} its file URL
 */
export function entryOf(root, name) {
  const dir = join(root, 'apps/bench/node_modules/@x', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dot = pkg.exports?.['.'];
  const file = typeof dot === 'string' ? dot : (dot?.import ?? dot?.default ?? pkg.main ?? 'index.js');
  return pathToFileURL(join(dir, typeof file === 'string' ? file : file.default)).href;
}

/**
 * The short commit of the checkout at `root` ('?' when git cannot tell).
 * @param {string} root
 * @returns {string}
 */
export function commitOf(root) {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}
