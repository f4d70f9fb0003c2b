// workerpool 10: threads (workerType 'thread') or processes (workerType 'process'); methods are
// registered by name in workers/workerpool-worker.mjs. Processes are forked with serialization
// 'advanced' (as @x/process-pool does): the default, JSON, cannot carry W6's Float64Array.
import workerpool from 'workerpool';

const WORKER = new URL('../workers/workerpool-worker.mjs', import.meta.url).pathname;

export function make({ workerType }) {
  let pool;
  return {
    async open({ workers, fixed }) {
      pool = workerpool.pool(WORKER, {
        workerType,
        maxWorkers: workers,
        ...(workerType === 'process' ? { forkOpts: { serialization: 'advanced' } } : {}),
        ...(fixed ? { minWorkers: workers } : {}),
      });
    },
    call(name, arg, transfer) {
      return pool.exec(name, [arg], transfer === undefined ? undefined : { transfer });
    },
    async close() {
      await pool.terminate();
      pool = undefined;
    },
  };
}
