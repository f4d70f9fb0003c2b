// poolifier 5: FixedThreadPool (its natural fixed-size pool); task functions registered by name in
// workers/poolifier-worker.mjs. Defaults otherwise (no tasks queue: tasks go straight to a worker).
import { FixedThreadPool } from 'poolifier';

const WORKER = new URL('../workers/poolifier-worker.mjs', import.meta.url).pathname;

export function make() {
  /** @type {FixedThreadPool | undefined} */
  let pool;
  return {
    async open({ workers }) {
      pool = new FixedThreadPool(workers, WORKER);
    },
    call(name, arg, transfer) {
      return pool.execute(arg, name, undefined, transfer);
    },
    async close() {
      await pool.destroy();
      pool = undefined;
    },
  };
}
