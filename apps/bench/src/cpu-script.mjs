// What a measuring script that runs fresh processes side by side needs: its command line, the
// interleaved rounds of child processes and medians (w4-, w6-, w7- and w8-cpu.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Reads the command line into `o` (its defaults): `--build name=DIR` (repeatable; default the
 * checkout at `thisRepo` as `this`), `--env name:VAR=value` (repeatable: a variable for the
 * children of that build only, in its `env`), `--node-arg FLAG` or `--node-arg=FLAG` (repeatable),
 * `--pin CPUS`, `--json FILE`, `--<list> a,b` for each of `lists`, `--<number> N` for each of `numbers`.
 * @template {object} T
 * @param {string[]} argv
 * @param {T & { builds: { name: string, root: string, env: Record<string, string> }[], nodeArgs: string[] }} o
 * @param {{ thisRepo: string, lists?: string[], numbers?: string[] }} flags
 * @returns {T}
 */
export function scriptOptions(argv, o, { thisRepo, lists = [], numbers = [] }) {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--node-arg=') ? ['--node-arg', argv[i].slice('--node-arg='.length)] : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    const key = flag.slice(2);
    if (flag === '--build') {
      const [name, path] = value().split('=');
      o.builds.push({ name, root: resolve(path), env: {} });
    } else if (flag === '--env') {
      const [name, assignment] = value().split(/:(.*)/s);
      const [variable, setting] = (assignment ?? '').split(/=(.*)/s);
      const build = o.builds.find((b) => b.name === name);
      if (build === undefined) throw new Error(`--env ${name}: no --build ${name}= before it`);
      build.env[variable] = setting ?? '';
    } else if (flag === '--node-arg') o.nodeArgs.push(value());
    else if (flag === '--pin' || flag === '--json') o[key] = value();
    else if (lists.includes(key)) o[key] = value().split(',');
    else if (numbers.includes(key)) o[key] = Number(value());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (o.builds.length === 0) o.builds.push({ name: 'this', root: thisRepo, env: {} });
  return o;
}

/**
 * Runs one child process per kind, `procs` rounds, the order rotated every round (A B C, B C A,
 * ...: interleaved), each without NODE_EXTRA_CA_CERTS (read at every process start, see cli.mjs),
 * with its kind's `env` added when it has one, and under `taskset -c pin` when given; pushes the
 * JSON of each child's last line of output to its kind's `runs`.
 * @param {{ key: string, runs: unknown[], env?: Record<string, string> }[]} kinds
 * @param {{ procs: number, pin?: string, nodeArgs: string[], cwd: string }} o
 * @param {(kind: any) => string[]} argsOf the child's arguments (script first)
 */
export function runInterleaved(kinds, o, argsOf) {
  for (let round = 0; round < o.procs; round++) {
    const order = kinds.map((_, k) => kinds[(k + round) % kinds.length]);
    for (const kind of order) {
      kind.runs.push(childJson(kind.key, [...o.nodeArgs, ...argsOf(kind)], { pin: o.pin, cwd: o.cwd, env: kind.env }));
    }
    process.stderr.write(`round ${round + 1}/${o.procs} done\n`);
  }
}

/**
 * Runs `node <args>` (without NODE_EXTRA_CA_CERTS, with `env` added, under `taskset -c pin` when
 * given) and returns the JSON of its last line of output; throws, naming `key`, when it fails.
 * @param {string} key
 * @param {string[]} args
 * @param {{ pin?: string, cwd?: string, env?: Record<string, string> }} [options]
 */
export function childJson(key, args, { pin, cwd, env: extra } = {}) {
  const [cmd, cmdArgs] = pin === undefined ? [process.execPath, args] : ['taskset', ['-c', pin, process.execPath, ...args]];
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', env, timeout: 300_000, cwd });
  if (r.status !== 0) throw new Error(`${key}: child failed (${String(r.status ?? r.signal)}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/** CPU time of this process's main thread so far, in ns (Linux). */
export function mainThreadNs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
}

/**
 * The median of `xs`.
 * @param {number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
