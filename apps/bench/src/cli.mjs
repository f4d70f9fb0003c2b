#!/usr/bin/env node
// The benchmark runner: every peer runs the same work in interleaved rounds (A B C A B C ...), each
// measurement in a fresh child process; then medians, spread, ratios, targets, a table, results
// JSON and two SVG charts. See ../README.md.
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OUR_PACKAGES, PEER, PEERS } from './peers.mjs';
import { aggregate, formatValue, markdown, ratiosSvg, targetsSvg, textTable } from './report.mjs';
import { spin } from './tasks.mjs';
import { WORKLOAD, WORKLOADS, sizes } from './workloads.mjs';

const HERE = new URL('./', import.meta.url);
const APP = new URL('../', import.meta.url);
const CHILD = fileURLToPath(new URL('child.mjs', HERE));
const PY_SCRIPT = fileURLToPath(new URL('python/bench_futures.py', APP));
const PY_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
// The measuring processes run without NODE_EXTRA_CA_CERTS: Node reads that certificate file at
// every process start (~100 ms each under load on the sandbox this was written on), so it was
// charged to every pool that passes the environment on to its child processes (@x/process-pool,
// the bare fork loop), never to tinypool (its children get an environment of their own). W5
// measured pool start, not this machine's certificate bundle.
const DROPPED_ENV = ['NODE_EXTRA_CA_CERTS'].filter((name) => process.env[name] !== undefined);
const NODE_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !DROPPED_ENV.includes(name)));

const HELP = `Usage: pnpm bench [options]      (in apps/bench: node src/cli.mjs [options])

  --quick            smoke run: tiny sizes, 1 round, every workload and peer still run and checked
  --rounds N         interleaved rounds (default 5; --quick: 1)
  --only W1,W3       run only these workloads (W1 W2 W3 W4 W5 W6c W6t W7 W8 W9-10k W9-100k W9-1M)
  --peers a,b        run only these peers (${PEERS.map((p) => p.id).join(' ')})
  --out DIR          where results go (default results/; --quick: results/quick/; --only/--peers: results/partial/)
  --allow-missing    skip our peers whose workspace packages are not built (default: that is a failure)
  --no-python        skip the Python peers
  --update-readme    write the tables and chart links into README.md (full runs only)
  -h, --help         this text

Exit code 1 when any measurement fails (a wrong result, a crash, a hang) or a needed package is missing.`;

let args;
try {
  args = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      only: { type: 'string' },
      peers: { type: 'string' },
      out: { type: 'string' },
      'allow-missing': { type: 'boolean', default: false },
      'no-python': { type: 'boolean', default: false },
      'update-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    // pnpm passes a literal "--" through when the user writes `pnpm bench -- --quick`
    args: process.argv.slice(2).filter((a) => a !== '--'),
  }).values;
} catch (error) {
  console.error(`${error.message}\n\n${HELP}`);
  process.exit(2);
}
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

const quick = args.quick;
const rounds = args.rounds === undefined ? (quick ? 1 : 5) : Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds must be a whole number ≥ 1, got ${args.rounds}`);
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const onlyIds = args.only === undefined ? WORKLOADS.map((w) => w.id) : list(args.only);
for (const id of onlyIds) if (!WORKLOAD.has(id)) usage(`--only: unknown workload ${id} (known: ${WORKLOADS.map((w) => w.id).join(' ')})`);
const peerIds = args.peers === undefined ? PEERS.map((p) => p.id) : list(args.peers);
for (const id of peerIds) if (!PEER.has(id)) usage(`--peers: unknown peer ${id} (known: ${PEERS.map((p) => p.id).join(' ')})`);
// A partial run (--only, --peers) goes to results/partial/: results/ holds the last full run,
// which the README's charts show.
const partial = args.only !== undefined || args.peers !== undefined;
const outDir = new URL(`${(args.out ?? (quick ? 'results/quick' : partial ? 'results/partial' : 'results')).replace(/\/?$/, '/')}`, APP);
if (args['update-readme'] && (quick || args.only !== undefined || args.peers !== undefined || args.out !== undefined)) {
  usage('--update-readme needs a full run into results/ (no --quick, --only, --peers or --out)');
}

function usage(message) {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

const started = performance.now();
const notes = [];
const failures = [];
if (DROPPED_ENV.length > 0) notes.push(`${DROPPED_ENV.join(', ')} removed from the environment of the measuring processes (Node reads it at every process start; see cli.mjs)`);

// --- which peers can run -------------------------------------------------------------------
const selected = new Set(peerIds);
const python = args['no-python'] ? { ok: false, why: '--no-python was given' } : detectPython();
if (!python.ok) {
  for (const p of PEERS) if (p.python !== undefined) selected.delete(p.id);
  if (peerIds.some((id) => PEER.get(id)?.python !== undefined)) notes.push(`Python peers skipped: ${python.why}`);
}
for (const [id, pkgs] of Object.entries(OUR_PACKAGES)) {
  if (!selected.has(id)) continue;
  const missing = [];
  for (const pkg of pkgs) {
    try {
      await import(pkg);
    } catch (error) {
      missing.push(`${pkg} (${String(error.message).split('\n')[0]})`);
    }
  }
  if (missing.length === 0) continue;
  selected.delete(id);
  const msg = `${PEER.get(id).label} not run: cannot import ${missing.join('; ')}. Build it first (pnpm build).`;
  if (args['allow-missing']) notes.push(msg);
  else failures.push({ workload: '-', peer: id, error: msg });
}

// --- sizes and calibration -----------------------------------------------------------------
const params = sizes(quick);
const workloads = WORKLOADS.filter((w) => onlyIds.includes(w.id));
if (workloads.some((w) => w.id === 'W3')) {
  params.W3.n = calibrateSpin(params.W3.ms);
  if (selected.has('py-thread') || selected.has('py-process')) {
    const r = runPythonSync({ workload: 'calibrate', params: { ms: params.W3.ms } });
    if (r.ok) params.W3.pyN = r.n;
    else failures.push({ workload: 'W3', peer: 'python', error: `calibration failed: ${r.error}` });
  }
}

const machine = {
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  python: python.ok ? python.version : `not available (${python.why})`,
  loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
};
const versions = await peerVersions();
const git = gitState();
const command = `pnpm bench${process.argv.slice(2).length > 0 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  `@x benchmarks: ${quick ? 'QUICK smoke run' : 'full run'}, ${rounds} round(s), ${workloads.length} workloads, peers: ${[...selected].join(' ')}\n` +
    `machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, Python ${machine.python}, load ${machine.loadavgAtStart.join(' ')}` +
    (params.W3 !== undefined && params.W3.n !== undefined ? `\nW3 spin calibrated: ${params.W3.n.toLocaleString('en-US')} iterations ≈ ${params.W3.ms} ms (Python: ${params.W3.pyN ?? '-'})` : ''),
);
for (const n of notes) console.log(`note: ${n}`);

// --- the rounds ------------------------------------------------------------------------------
const runs = [];
const timeoutMs = quick ? 60_000 : 180_000;
for (let round = 1; round <= rounds; round++) {
  for (const w of workloads) {
    for (const peer of w.peers) {
      if (!selected.has(peer)) continue;
      const spec = { workload: w.id, peer, params: params[w.id] };
      const t0 = performance.now();
      let r = await measure(w, spec);
      if (!r.ok && !r.correctness) {
        // A crash or hang (not a wrong result) gets one more try in a fresh process, and a note;
        // a second failure fails the run. A wrong result is never retried.
        notes.push(`${w.id} ${peer} round ${round} failed once and was run again: ${String(r.error).split('\n')[0]}`);
        r = await measure(w, spec);
      }
      const wallMs = performance.now() - t0;
      runs.push({ round, workload: w.id, peer, wallMs: Math.round(wallMs), ...r });
      const head = `r${round}/${rounds} ${w.id.padEnd(3)} ${peer.padEnd(15)}`;
      if (r.ok) {
        const shown = w.metrics.map((m) => `${formatValue(r.metrics[m.key], m.digits)} ${m.unit}`).join(', ');
        const warn = [
          r.lingered ? 'the process did not exit by itself after the pool was shut down' : '',
          r.strayChildren ? `${r.strayChildren} child process(es) still alive 2 s after shutdown` : '',
          ...(r.warnings ?? []),
        ].filter(Boolean);
        console.log(`${head} ${shown}${warn.length > 0 ? `  (WARNING: ${warn.join('; ')})` : ''}`);
      } else {
        console.log(`${head} FAILED${r.correctness ? ' (wrong result)' : ''}: ${String(r.error).split('\n').slice(0, 3).join(' | ')}`);
        failures.push({ round, workload: w.id, peer, correctness: r.correctness === true, error: r.error });
      }
    }
  }
}

// --- report --------------------------------------------------------------------------------
const agg = aggregate(runs, workloads, params, selected);
const elapsedS = (performance.now() - started) / 1000;
console.log(textTable(agg));
console.log(`\n(* = ours. Medians over ${rounds} round(s); "vs X" = how many times faster than X, >1 is better for every metric.)`);
const lingered = runs.filter((r) => r.lingered);
if (lingered.length > 0) notes.push(`${lingered.length} measurement process(es) did not exit by themselves after the pool was shut down (killed after 5 s): ${[...new Set(lingered.map((r) => `${r.workload} ${r.peer}`))].join(', ')}`);
const warned = new Map();
for (const r of runs) for (const w of r.warnings ?? []) warned.set(`${r.peer}: ${w}`, (warned.get(`${r.peer}: ${w}`) ?? 0) + 1);
for (const [w, n] of warned) notes.push(`${w} (${n} measurement${n === 1 ? '' : 's'} of ${runs.filter((r) => r.peer === w.split(':')[0]).length})`);
const strays = runs.filter((r) => r.strayChildren);
if (strays.length > 0) notes.push(`${strays.length} measurement(s) left worker processes alive 2 s after the pool was shut down (killed): ${[...new Set(strays.map((r) => `${r.workload} ${r.peer}`))].join(', ')}`);

for (const n of notes) console.log(`note: ${n}`);

const date = new Date().toISOString();
machine.loadavgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
const subtitle = `${machine.nproc} cores ${machine.cpu}, Node ${machine.node}; ${rounds} round(s) of ${quick ? 'quick' : 'full'} sizes; medians; ${date.slice(0, 16)}Z`;
const result = { meta: { date, mode: quick ? 'quick' : 'full', command, rounds, elapsedS: Math.round(elapsedS), git, machine, versions, params, notes }, ...agg, failures, runs };
await mkdir(outDir, { recursive: true });
await writeFile(new URL('results.json', outDir), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(new URL('ratios.svg', outDir), ratiosSvg(agg, subtitle));
await writeFile(new URL('targets.svg', outDir), targetsSvg(agg, subtitle));
const md = markdown(agg);
await writeFile(new URL('results.md', outDir), `${md}\n`);
if (args['update-readme']) await updateReadme(md, result);
console.log(`\nwrote ${fileURLToPath(outDir)}{results.json,results.md,ratios.svg,targets.svg} in ${elapsedS.toFixed(0)} s`);

if (failures.length > 0) {
  console.log(`\n${failures.length} FAILURE(S):`);
  for (const f of failures) console.log(`  ${f.workload} ${f.peer}${f.round === undefined ? '' : ` round ${f.round}`}: ${String(f.error).split('\n')[0]}`);
  process.exitCode = 1;
}

// --- helpers -------------------------------------------------------------------------------

/** One measurement in a fresh process, its checksum checked against the expected one. */
async function measure(w, spec) {
  const r = PEER.get(spec.peer).python !== undefined ? await runPython(spec) : await runNode(spec, timeoutMs);
  if (r.ok) {
    const expected = w.expected(spec.params, r);
    if (r.checksum !== expected) Object.assign(r, { ok: false, correctness: true, error: `checksum ${r.checksum} != expected ${expected}` });
  }
  return r;
}

/** Fork child.mjs for one measurement; wait for its result, then for it to exit by itself. */
function runNode(spec, timeout) {
  return new Promise((resolve) => {
    const child = fork(CHILD, [JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced', env: NODE_ENV });
    let output = '';
    const keep = (d) => {
      if (output.length < 20_000) output += d;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let result;
    let linger;
    const hang = setTimeout(() => {
      child.kill('SIGKILL');
      result ??= { ok: false, error: `timed out after ${timeout / 1000} s (a hang counts as a failure)\n${output}` };
    }, timeout);
    child.on('message', (m) => {
      result = m;
      linger = setTimeout(() => {
        result.lingered = true;
        child.kill('SIGKILL');
      }, 5000);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(hang);
      clearTimeout(linger);
      if (result === undefined) result = { ok: false, error: `child exited (${signal ?? `code ${code}`}) without a result\n${output}` };
      else if (!result.ok && output !== '') result.error = `${result.error}\n${output}`;
      resolve(result);
    });
  });
}

function detectPython() {
  const r = spawnSync('python3', ['-c', 'import sys, concurrent.futures; print(sys.version.split()[0])'], { encoding: 'utf8' });
  if (r.error !== undefined) return { ok: false, why: `python3 not found (${r.error.code ?? r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `python3 cannot import concurrent.futures: ${r.stderr.trim()}` };
  return { ok: true, version: r.stdout.trim() };
}

function parsePython(stdout, stderr, status) {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last);
  } catch {
    return { ok: false, error: `python exited with ${status} without a result\n${stdout}\n${stderr}` };
  }
}
function runPythonSync(spec) {
  const r = spawnSync('python3', [PY_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', env: PY_ENV, timeout: 60_000 });
  return parsePython(r.stdout ?? '', r.stderr ?? '', r.status);
}
function runPython(spec) {
  const pool = PEER.get(spec.peer).python;
  return new Promise((resolve) => {
    const child = spawn('python3', [PY_SCRIPT, JSON.stringify({ ...spec, pool })], { env: PY_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const hang = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(hang);
      resolve(signal === 'SIGKILL' ? { ok: false, error: `timed out after ${timeoutMs / 1000} s` } : parsePython(stdout, stderr, status));
    });
  });
}

/**
 * The spin count that takes about `ms` of CPU time here (fastest of a few tries, after a warm-up;
 * CPU time, not wall time, so that other load on the machine does not shrink the tasks).
 */
function calibrateSpin(ms) {
  const n0 = 4_000_000;
  spin([1, n0]);
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage();
    spin([1, n0]);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return Math.max(1, Math.round((n0 * ms) / best));
}

/** The commit measured, and whether the packages had uncommitted changes at the start. */
function gitState() {
  const run = (gitArgs) => spawnSync('git', gitArgs, { cwd: fileURLToPath(APP), encoding: 'utf8' });
  const head = run(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const dirty = run(['status', '--porcelain', '--', '../../packages']).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' (with uncommitted changes in packages/)' : ''}`;
}

async function peerVersions() {
  const out = {};
  for (const name of ['piscina', 'tinypool', 'workerpool', 'poolifier', 'p-limit']) {
    try {
      out[name] = JSON.parse(await readFile(new URL(`node_modules/${name}/package.json`, APP), 'utf8')).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

async function updateReadme(md, result) {
  const file = new URL('README.md', APP);
  const text = await readFile(file, 'utf8');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} block to update`);
  const m = result.meta.machine;
  const block = [
    start,
    `Measured ${result.meta.date.slice(0, 16).replace('T', ' ')} UTC on commit ${result.meta.git} with \`${result.meta.command}\` (${result.meta.rounds} round${result.meta.rounds === 1 ? '' : 's'}, ${result.meta.elapsedS} s): ` +
      `${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Python ${m.python}; ` +
      `piscina ${result.meta.versions.piscina}, tinypool ${result.meta.versions.tinypool}, workerpool ${result.meta.versions.workerpool}, poolifier ${result.meta.versions.poolifier}, p-limit ${result.meta.versions['p-limit']}. ` +
      `Load average (1, 5, 15 min) at the start: ${m.loadavgAtStart.join(' ')}, at the end: ${m.loadavgAtEnd.join(' ')}.`,
    '',
    ...(result.meta.notes.length > 0 ? [...result.meta.notes.map((n) => `> Note: ${n}`), ''] : []),
    '![ratios to the reference peer](results/ratios.svg)',
    '',
    '![targets](results/targets.svg)',
    '',
    md,
    end,
  ].join('\n');
  await writeFile(file, text.slice(0, a) + block + text.slice(b + end.length));
}
