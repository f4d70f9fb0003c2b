// poolifier 5: FixedThreadPool (its natural fixed-size pool); task functions registered by name in
// workers/poolifier-worker.mjs. Defaults otherwise (no tasks queue: tasks go straight to a worker).
//
// Workaround: now and then (about 1 in 10 here) poolifier's destroy() never settles although
// its workers have exited; with nothing left alive, Node then ends the process (exit code 13,
// unsettled top-level await) before the result is reported. close() therefore also watches
// the workers' 'exit' events: once all have exited and destroy() has still not settled 50 ms
// later, it goes on and records a warning (shown in the report). The timing is not flattered:
// the stuck case only ever adds those 50 ms.
import { FixedThreadPool } from 'poolifier';

const WORKER = new URL('../workers/poolifier-worker.mjs', import.meta.url).pathname;

export function make() {
  /** @type {FixedThreadPool | undefined} */
  let pool;
  const warnings = [];
  return {
    warnings,
    async open({ workers }) {
      pool = new FixedThreadPool(workers, WORKER);
    },
    call(name, arg, transfer) {
      return pool.execute(arg, name, undefined, transfer);
    },
    async close() {
      const threads = pool.workerNodes.map((node) => node.worker);
      const exited = Promise.all(threads.map((w) => new Promise((resolve) => (w.threadId === -1 ? resolve() : w.once('exit', resolve)))));
      const destroyed = pool.destroy().then(() => true);
      const settled = await Promise.race([destroyed, exited.then(() => new Promise((resolve) => setTimeout(resolve, 50, false)))]);
      if (!settled) warnings.push('poolifier destroy() did not settle after its workers had exited');
      pool = undefined;
    },
  };
}
