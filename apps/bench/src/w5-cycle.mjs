// One process of W5 cycles for src/w5-callgrind.mjs: `node src/w5-cycle.mjs <repo root> <peer> <cycles>`
// loads the peer's adapter from <repo root>/apps/bench (that build's packages), then runs <cycles>
// W5 cycles (create a pool of 2, one `inc(41)`, shut down and wait) as W5's child does.
// Under valgrind a child needs more than tinypool's 1 s between the SIGTERM of `destroy()` and its
// SIGKILL to write its profile: this process does not send a child those SIGKILLs, and waits for
// its exit instead (a measurement only: nothing here runs in the bench).
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const kill = ChildProcess.prototype.kill;
ChildProcess.prototype.kill = function (signal) {
  if (signal !== 'SIGKILL') return kill.call(this, signal);
  this.ref();
  return true;
};
const [root, peer, cycles] = process.argv.slice(2);
const { PEER } = await import(pathToFileURL(join(root, 'apps/bench/src/peers.mjs')).href);
const adapter = await PEER.get(peer).load();
for (let c = 0; c < Number(cycles); c++) {
  await adapter.open({ workers: 2, fixed: false });
  const r = await adapter.call('inc', 41);
  await adapter.close();
  if (r !== 42) throw new Error(`inc(41) returned ${String(r)}`);
}
