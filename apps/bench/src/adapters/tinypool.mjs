// tinypool 2.2: the worker_threads runtime and the child_process runtime, defaults otherwise except
// that child_process uses serialization 'advanced' (as @x/process-pool does): its default, JSON,
// cannot carry W6's Float64Array. Loads tasks.mjs directly.
import Tinypool from 'tinypool';

const TASKS = new URL('../tasks.mjs', import.meta.url).href;

export function make({ runtime }) {
  /** @type {Tinypool | undefined} */
  let pool;
  return {
    async open({ workers, fixed }) {
      pool = new Tinypool({ filename: TASKS, runtime, ...(runtime === 'child_process' ? { serialization: 'advanced' } : {}), maxThreads: workers, ...(fixed ? { minThreads: workers } : {}) });
    },
    call(name, arg, transfer) {
      return pool.run(arg, transfer === undefined ? { name } : { name, transferList: transfer });
    },
    async close() {
      await pool.destroy();
      pool = undefined;
    },
  };
}
