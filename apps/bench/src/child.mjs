// One measurement in a fresh process: `node child.mjs '{"workload":"W1","peer":"piscina","params":{...}}'`
// (forked by the runner with an IPC channel). Sends back { ok, metrics, checksum } or { ok: false, error }
// and then lets the process end by itself: a pool that keeps it alive is reported by the runner.
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PEER } from './peers.mjs';
import { WORKLOAD } from './workloads.mjs';

const reply = (message) =>
  new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    } else process.send(message, () => resolve());
  });

try {
  const spec = JSON.parse(process.argv[2] ?? '');
  const workload = WORKLOAD.get(spec.workload);
  const peer = PEER.get(spec.peer);
  if (workload === undefined || peer?.load === undefined) throw new Error(`unknown workload or Node peer in ${process.argv[2]}`);
  const adapter = await peer.load();
  const result = await workload.run(adapter, spec.params);
  const strays = await strayChildren();
  for (const pid of strays) process.kill(pid, 'SIGKILL');
  const warnings = adapter.warnings ?? [];
  await reply({ ok: true, ...result, ...(strays.length > 0 ? { strayChildren: strays.length } : {}), ...(warnings.length > 0 ? { warnings } : {}) });
} catch (error) {
  await reply({
    ok: false,
    correctness: error?.name === 'CorrectnessError',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exitCode = 1;
}
process.disconnect?.();

/**
 * Child processes of this process still alive 2 s after the pool was shut down (Linux: read from
 * /proc). A process pool that leaves them behind would leak orphans once this process exits.
 */
async function strayChildren() {
  if (process.platform !== 'linux') return [];
  const deadline = Date.now() + 2000;
  for (;;) {
    const pids = livingChildren();
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await sleep(50);
  }
}

function livingChildren() {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(ppid) === process.pid && state !== 'Z' ? [Number(d)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}
