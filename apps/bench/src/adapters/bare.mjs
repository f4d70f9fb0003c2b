// The floor: a hand-written pool of `workers` worker threads (or forked processes with advanced
// serialization), started eagerly, tasks dealt round-robin, one message per task each way.
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const THREAD = new URL('../workers/bare-thread-worker.mjs', import.meta.url);
const CHILD = new URL('../workers/bare-fork-child.mjs', import.meta.url);

export function make({ runtime }) {
  let workers = [];
  let next = 0;
  let nextId = 0;
  const pending = new Map();
  const onMessage = ([id, result]) => {
    const resolve = pending.get(id);
    pending.delete(id);
    resolve(result);
  };
  const onExit = (code) => {
    for (const [, resolve] of pending) resolve(Promise.reject(new Error(`bare ${runtime} worker exited with code ${code}`)));
    pending.clear();
  };
  return {
    async open({ workers: n }) {
      workers = Array.from({ length: n }, () => {
        const w = runtime === 'thread' ? new Worker(THREAD) : fork(CHILD, [], { serialization: 'advanced' });
        w.on('message', onMessage);
        w.on('exit', onExit);
        return w;
      });
    },
    call(name, arg, transfer) {
      const id = nextId++;
      const w = workers[next];
      next = (next + 1) % workers.length;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        if (runtime === 'thread') w.postMessage([id, name, arg], transfer);
        else w.send([id, name, arg]);
      });
    },
    async close() {
      const all = workers;
      workers = [];
      for (const w of all) w.off('exit', onExit);
      if (runtime === 'thread') await Promise.all(all.map((w) => w.terminate()));
      else await Promise.all(all.map((w) => new Promise((resolve) => { w.once('exit', resolve); w.kill(); })));
    },
  };
}
