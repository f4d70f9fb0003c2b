// One measurement in a fresh process: `node child.mjs '{"workload":"W1","peer":"piscina","params":{...}}'`
// (forked by the runner with an IPC channel). Sends back { ok, metrics, checksum } or { ok: false, error }
// and then lets the process end by itself: a pool that keeps it alive is reported by the runner.
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
  await reply({ ok: true, ...result });
} catch (error) {
  await reply({
    ok: false,
    correctness: error?.name === 'CorrectnessError',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exitCode = 1;
}
process.disconnect?.();
