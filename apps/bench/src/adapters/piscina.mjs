// piscina 5: worker_threads only; loads tasks.mjs directly and calls an export by name.
import { Piscina } from 'piscina';

const TASKS = new URL('../tasks.mjs', import.meta.url).href;

export function make() {
  /** @type {Piscina | undefined} */
  let pool;
  return {
    async open({ workers, fixed }) {
      pool = new Piscina({ filename: TASKS, maxThreads: workers, ...(fixed ? { minThreads: workers } : {}) });
    },
    call(name, arg, transfer) {
      return pool.run(arg, transfer === undefined ? { name } : { name, transferList: transfer });
    },
    async close() {
      await pool.close();
      pool = undefined;
    },
  };
}
