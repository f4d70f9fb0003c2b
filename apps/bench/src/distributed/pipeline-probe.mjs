// Preloaded into a worker process by pipeline.mjs (NODE_OPTIONS=--import): counts how the worker's
// BullMQ Worker fetches jobs. On each SIGUSR2 it appends one line to PIPELINE_PROBE_OUT/<pid>.json
// with what it counted since the last one, then starts counting again:
//   jobs          jobs BullMQ handed to the processor
//   turns         event-loop turns in which at least one of them was handed over
//   emptyFetches  fetches that found the wait list empty (BullMQ's moveToFinished or moveToActive
//                 answering no job): the worker then falls back to fetching one job at a time
//   moveToActive  fetches on their own (raw BullMQ makes one per slot at the start of a burst)
//   waitForJob    blocking waits on the queue's marker (the wait list was empty)
//   userUs/sysUs  the process's CPU time (microseconds)
// It patches the `bullmq` the worker itself loads: x-worker's through its `@x/distributed` (or a
// `--baseline` copy's ./distributed), raw-worker.mjs's its own.
import { appendFileSync, existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The file whose dependencies are the worker's: a --baseline copy's ./distributed, x-worker's @x/distributed, else the script. */
function dependent() {
  const script = realpathSync(process.argv[1]);
  const copy = path.join(path.dirname(process.argv[1]), 'distributed', 'index.js');
  if (existsSync(copy)) return realpathSync(copy);
  if (path.basename(script) !== 'x-worker.js') return script;
  return realpathSync(createRequire(script).resolve('@x/distributed/package.json'));
}
const require = createRequire(dependent());
const bullmqPath = require.resolve('bullmq');
const { Worker } = require(bullmqPath);
const proto = Worker.prototype;

let counts;
let cpu;
const reset = () => {
  counts = { jobs: 0, turns: 0, emptyFetches: 0, moveToActive: 0, waitForJob: 0 };
  cpu = process.cpuUsage();
};
reset();
let inTurn = false;
const wrap = (name, count) => {
  const original = proto[name];
  proto[name] = function (...args) {
    count(args);
    return original.apply(this, args);
  };
};
wrap('moveToActive', () => counts.moveToActive++);
wrap('waitForJob', () => counts.waitForJob++);
wrap('nextJobFromJobData', ([jobData]) => {
  if (!jobData) counts.emptyFetches++;
});
wrap('processJob', () => {
  counts.jobs++;
  if (inTurn) return;
  inTurn = true;
  counts.turns++;
  setImmediate(() => {
    inTurn = false;
  });
});
process.on('SIGUSR2', () => {
  const used = process.cpuUsage(cpu);
  appendFileSync(path.join(process.env.PIPELINE_PROBE_OUT, `${process.pid}.json`), `${JSON.stringify({ ...counts, userUs: used.user, sysUs: used.system })}\n`);
  reset();
});
