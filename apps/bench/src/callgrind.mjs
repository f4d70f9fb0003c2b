// What the src/w*-callgrind.mjs scripts share: their command line, running one process under
// valgrind and reading its main thread's count, and counting each kind of run rep by rep.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads the command line into `o` (its defaults): `--build name=DIR` (repeatable; default this
 * repository as `this`), `--keep DIR`, `--node-arg FLAG` (repeatable), `--<list> a,b` for each of
 * `lists`, `--<number> N` for each of `numbers`. Adds `dir`: where the callgrind files go (`--keep`,
 * or a fresh temporary folder named after `prefix`).
 * @template {object} T
 * @param {T & { builds: { name: string, root: string }[], keep?: string, nodeArgs: string[] }} o
 * @param {{ prefix: string, lists?: string[], numbers?: string[] }} flags
 * @returns {T & { dir: string }}
 */
export function callgrindOptions(o, { prefix, lists = [], numbers = [] }) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const value = argv[++i] ?? '';
    const key = flag.slice(2);
    if (flag === '--build') {
      const [name, path] = value.split('=');
      o.builds.push({ name, root: resolve(path) });
    } else if (flag === '--keep') o.keep = resolve(value);
    else if (flag === '--node-arg') o.nodeArgs.push(value);
    else if (lists.includes(key)) o[key] = value.split(',');
    else if (numbers.includes(key)) o[key] = Number(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  if (o.builds.length === 0) o.builds.push({ name: 'this', root: fileURLToPath(new URL('../../..', import.meta.url)) });
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(dir, { recursive: true });
  return Object.assign(o, { dir });
}

/**
 * Runs `valgrind <args>` (without NODE_EXTRA_CA_CERTS in its environment: Node reads it at every
 * process start, see cli.mjs); resolves with valgrind's stderr, rejects when it exits with an error.
 * @param {string} name for the error
 * @param {string[]} args
 * @returns {Promise<string>}
 */
export function valgrind(name, args) {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return new Promise((resolvePromise, reject) => {
    const p = spawn('valgrind', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.resume();
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${name}: valgrind exited ${String(code)}: ${stderr.slice(-2000)}`));
      else resolvePromise(stderr);
    });
  });
}

/**
 * Runs `command` (node and its arguments) under callgrind, one file per thread
 * (`--separate-threads=yes`, children not traced) at `dir/name-NN`; resolves with the main
 * thread's instruction count (thread 1's file).
 * @param {string} dir
 * @param {string} name
 * @param {string[]} command
 * @returns {Promise<number>}
 */
export async function mainThreadInstructions(dir, name, command) {
  const out = join(dir, name);
  await valgrind(name, ['--tool=callgrind', '--trace-children=no', '--separate-threads=yes', `--callgrind-out-file=${out}`, ...command]);
  const main = readdirSync(dir).find((f) => f === `${name}-01`);
  if (main === undefined) throw new Error(`${name}: no main-thread file`);
  const summary = /^summary: (\d+)/m.exec(readFileSync(join(dir, main), 'utf8'));
  if (summary === null) throw new Error(`${name}: no summary`);
  return Number(summary[1]);
}

/**
 * The main thread's instructions per burst of a child run twice at once under callgrind: with
 * `bursts` bursts and with `minus` (start-up, imports and warm-up cancel out).
 * @param {string} dir
 * @param {string} name the runs' files are `name-b<bursts>` and `name-b<minus>`
 * @param {(bursts: number) => string[]} commandOf node and its arguments for a run of that many bursts
 * @param {number} bursts
 * @param {number} minus
 * @returns {Promise<number>}
 */
export async function instructionsPerBurst(dir, name, commandOf, bursts, minus) {
  const [withBursts, without] = await Promise.all([mainThreadInstructions(dir, `${name}-b${bursts}`, commandOf(bursts)), mainThreadInstructions(dir, `${name}-b${minus}`, commandOf(minus))]);
  return (withBursts - without) / (bursts - minus);
}

/**
 * Counts every kind `o.reps` times, rep by rep (each rep runs every kind once, so a slower stretch
 * of the machine's other work reaches all kinds alike), as the main thread's instructions per unit
 * of work: {@link instructionsPerBurst} of the kind's runs divided by `units` (the tasks or items of
 * one burst). Prints each count as it comes. Returns each kind's counts, in rep order.
 * @param {{ dir: string, reps: number, bursts: number, minus: number }} o
 * @param {{ label: string, commandOf: (bursts: number) => string[] }[]} kinds
 * @param {number} units
 * @param {string} unit what a unit is, for the progress lines ('task', 'item')
 * @returns {Promise<number[][]>}
 */
export async function countReps(o, kinds, units, unit) {
  const counts = kinds.map(() => []);
  for (let rep = 0; rep < o.reps; rep++) {
    for (const [i, kind] of kinds.entries()) {
      const name = `${kind.label.replaceAll(/[^\w.-]+/g, '-')}-${String(rep)}`;
      const perUnit = (await instructionsPerBurst(o.dir, name, kind.commandOf, o.bursts, o.minus)) / units;
      counts[i].push(perUnit);
      process.stderr.write(`${kind.label} rep ${String(rep + 1)}: ${perUnit.toFixed(0)} instructions per ${unit}\n`);
    }
  }
  return counts;
}
