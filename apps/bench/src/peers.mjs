// Every contestant, by id. `side` groups them in the report; `ours` marks the @x executors;
// `python` peers run python/bench_futures.py instead of a Node child.

/** @typedef {{ id: string, label: string, side: 'thread' | 'process' | 'async', ours?: boolean, python?: 'thread' | 'process', load?: () => Promise<any> }} Peer */

/** @type {Peer[]} */
export const PEERS = [
  { id: 'x-thread', label: '@x/thread-pool', side: 'thread', ours: true, load: async () => (await import('./adapters/x-pool.mjs')).make({ runtime: 'thread' }) },
  { id: 'piscina', label: 'piscina', side: 'thread', load: async () => (await import('./adapters/piscina.mjs')).make() },
  { id: 'tinypool', label: 'tinypool', side: 'thread', load: async () => (await import('./adapters/tinypool.mjs')).make({ runtime: 'worker_threads' }) },
  { id: 'workerpool', label: 'workerpool', side: 'thread', load: async () => (await import('./adapters/workerpool.mjs')).make({ workerType: 'thread' }) },
  { id: 'poolifier', label: 'poolifier', side: 'thread', load: async () => (await import('./adapters/poolifier.mjs')).make() },
  { id: 'bare-thread', label: 'bare worker_threads loop', side: 'thread', load: async () => (await import('./adapters/bare.mjs')).make({ runtime: 'thread' }) },
  { id: 'py-thread', label: 'Python ThreadPoolExecutor', side: 'thread', python: 'thread' },
  { id: 'x-process', label: '@x/process-pool', side: 'process', ours: true, load: async () => (await import('./adapters/x-pool.mjs')).make({ runtime: 'process' }) },
  { id: 'tinypool-cp', label: 'tinypool child_process', side: 'process', load: async () => (await import('./adapters/tinypool.mjs')).make({ runtime: 'child_process' }) },
  { id: 'workerpool-proc', label: 'workerpool process', side: 'process', load: async () => (await import('./adapters/workerpool.mjs')).make({ workerType: 'process' }) },
  { id: 'bare-fork', label: 'bare child_process loop', side: 'process', load: async () => (await import('./adapters/bare.mjs')).make({ runtime: 'fork' }) },
  { id: 'py-process', label: 'Python ProcessPoolExecutor', side: 'process', python: 'process' },
  { id: 'x-thread+dd', label: '@x/thread-pool + detectDeadlocks()', side: 'thread', ours: true, load: async () => (await import('./adapters/x-pool.mjs')).make({ runtime: 'thread', detector: true }) },
  { id: 'x-async', label: '@x/future AsyncPoolExecutor', side: 'async', ours: true, load: async () => (await import('./adapters/async.mjs')).make({ impl: 'x-async' }) },
  { id: 'p-limit', label: 'p-limit', side: 'async', load: async () => (await import('./adapters/async.mjs')).make({ impl: 'p-limit' }) },
];

export const PEER = new Map(PEERS.map((p) => [p.id, p]));

/** The workspace packages each of our peers needs (checked before a run). */
export const OUR_PACKAGES = {
  'x-thread': ['@x/future', '@x/thread-pool'],
  'x-process': ['@x/future', '@x/process-pool'],
  'x-thread+dd': ['@x/future', '@x/thread-pool', '@x/diagnostics'],
  'x-async': ['@x/future'],
};
