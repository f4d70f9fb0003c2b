// Our pools: ThreadPoolExecutor (@x/thread-pool) and ProcessPoolExecutor (@x/process-pool), with
// task(url, name) handles to tasks.mjs; W4 uses executor.map(fn, items, { chunksize }).
// `detector: true` (W8) starts @x/diagnostics' detectDeadlocks() before the pool is created and
// stops it after shutdown.
import { task } from '@x/future';

const TASKS = new URL('../tasks.mjs', import.meta.url);
const handles = new Map();
function handle(name) {
  let h = handles.get(name);
  if (h === undefined) {
    h = task(TASKS, name);
    handles.set(name, h);
  }
  return h;
}

export async function make({ runtime, detector = false }) {
  const Executor =
    runtime === 'thread'
      ? (await import('@x/thread-pool')).ThreadPoolExecutor
      : (await import('@x/process-pool')).ProcessPoolExecutor;
  const detectDeadlocks = detector ? (await import('@x/diagnostics')).detectDeadlocks : undefined;
  let ex;
  let dd;
  return {
    async open({ workers, fixed }) {
      if (detectDeadlocks !== undefined) dd = detectDeadlocks({ onDeadlock: 'throw' });
      // like piscina's, tinypool's and workerpool's minimum: the throughput workloads start every worker at once
      ex = new Executor({ maxWorkers: workers, ...(fixed ? { minWorkers: workers } : {}) });
    },
    call(name, arg, transfer) {
      return transfer === undefined ? ex.submit(handle(name), arg) : ex.submitWith({ transfer }, handle(name), arg);
    },
    async map(name, items, chunksize) {
      const out = [];
      for await (const r of ex.map(handle(name), items, { chunksize })) out.push(r);
      return out;
    },
    async close() {
      await ex.shutdown();
      ex = undefined;
      dd?.stop();
      dd = undefined;
    },
  };
}
