#!/usr/bin/env node
// `pnpm demo [args]` and `pnpm bench [args]`: build an app of apps/ together with the packages
// it uses, then run its `start` script with the arguments given.
// Usage: node scripts/run-app.mjs <app folder name> [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readJson, repoRoot } from './summary.mjs';

const [app = '', ...args] = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

/**
 * @param {string} folder relative to the root
 * @param {string} script
 * @returns {boolean}
 */
function hasScript(folder, script) {
  const manifest = path.join(repoRoot, folder, 'package.json');
  if (!existsSync(manifest)) return false;
  const pkg = /** @type {{ scripts?: Record<string, string> }} */ (readJson(manifest));
  return pkg.scripts?.[script] !== undefined;
}

/**
 * Runs a command in the root and stops this process with its exit code if it fails.
 * @param {string} command
 * @param {string[]} commandArgs
 * @param {string} [cwd]
 */
function run(command, commandArgs, cwd = repoRoot) {
  const result = spawnSync(command, commandArgs, { cwd, env, stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const folder = `apps/${app}`;
if (!hasScript(folder, 'start')) {
  console.error(`${folder} has no package.json with a "start" script, so there is nothing to run.`);
  process.exit(1);
}

run(path.join(repoRoot, 'node_modules', '.bin', 'turbo'), [
  'run',
  'build',
  `--filter=./${folder}...`,
  '--output-logs=errors-only',
]);
// Start the app from the folder `pnpm demo` was run in, so relative paths in its arguments
// (`pnpm demo hash ./docs`) mean what the caller meant.
const callerDir = process.env.INIT_CWD ?? process.cwd();
run('pnpm', ['--dir', path.join(repoRoot, folder), '--silent', 'run', 'start', ...args], existsSync(callerDir) ? callerDir : repoRoot);
