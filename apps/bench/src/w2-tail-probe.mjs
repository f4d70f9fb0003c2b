// W2, looked into (Linux only): does a thread that stays busy after it posts make the round trip
// shorter? A hand-written MessageChannel ping-pong (no library), 2,000 sequential round trips after
// 100 warm-up ones, printed as the p50. `--main-tail-us N`: the main thread stays busy N µs after
// each post (a spin) before it awaits; `--worker-poll-us N`: after each result the worker takes
// the next message with receiveMessageOnPort for up to N µs before it goes back to its event loop.
// `--place same|split` pins the two threads to one vCPU or to two (taskset), as w2-probe.mjs does.
// The question (bench README, W2 "Since"): on an idle machine whose vCPUs halt when idle (guest
// halt-polling off), is a hop to a thread that has gone to sleep the round trip's main cost?
//
//   node src/w2-tail-probe.mjs [--main-tail-us 0] [--worker-poll-us 0] [--place same|split] [--calls 2000]
//
// Not part of the bench run.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';

const { values: args } = parseArgs({
  options: {
    'main-tail-us': { type: 'string', default: '0' },
    'worker-poll-us': { type: 'string', default: '0' },
    place: { type: 'string' },
    calls: { type: 'string', default: '2000' },
  },
});
const mainTailMs = Number(args['main-tail-us']) / 1000;
const calls = Number(args.calls);
const source = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const port = workerData.port;
const pollMs = workerData.pollMs;
const answer = (m) => { port.postMessage([m[0], m[1] + 1]); };
port.on('message', (m) => {
  answer(m);
  if (pollMs <= 0) return;
  const until = performance.now() + pollMs;
  while (performance.now() < until) {
    const next = receiveMessageOnPort(port);
    if (next !== undefined) answer(next.message);
  }
});`;
const tids = () => readdirSync('/proc/self/task');
const before = new Set(tids());
const { port1, port2 } = new MessageChannel();
const worker = new Worker(source, { eval: true, workerData: { port: port2, pollMs: Number(args['worker-poll-us']) / 1000 }, transferList: [port2] });
let resolve;
port1.on('message', (m) => resolve(m[1]));
function call(i) {
  const p = new Promise((r) => (resolve = r));
  port1.postMessage([i, i]);
  if (mainTailMs > 0) for (const until = performance.now() + mainTailMs; performance.now() < until; );
  return p;
}
for (let i = 0; i < 100; i++) await call(i);
if (args.place !== undefined) {
  // the worker thread: the thread that spent the most CPU, other than the main one
  const cpu = (tid) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  const others = tids().filter((t) => t !== String(process.pid) && !before.has(t));
  const workerTid = others.sort((a, b) => cpu(b) - cpu(a))[0];
  execFileSync('taskset', ['-p', '-c', args.place === 'same' ? '1' : '0', String(process.pid)], { stdio: 'ignore' });
  execFileSync('taskset', ['-p', '-c', '1', workerTid], { stdio: 'ignore' });
}
const lat = new Float64Array(calls);
for (let i = 0; i < calls; i++) {
  const t0 = performance.now();
  if ((await call(i)) !== i + 1) throw new Error(`call ${i}: wrong result`);
  lat[i] = performance.now() - t0;
}
lat.sort();
console.log(`main tail ${args['main-tail-us']} µs, worker poll ${args['worker-poll-us']} µs, ${args.place ?? 'unpinned'}: p50 ${(lat[calls >> 1] * 1000).toFixed(1)} µs, p90 ${(lat[Math.floor(calls * 0.9)] * 1000).toFixed(1)} µs`);
await worker.terminate();
port1.close();
