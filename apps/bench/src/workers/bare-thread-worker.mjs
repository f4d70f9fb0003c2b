// The floor for threads: a hand-written worker_threads loop, one message in, one message out.
import { parentPort } from 'node:worker_threads';
import * as tasks from '../tasks.mjs';

if (parentPort === null) throw new Error('bare-thread-worker.mjs must run in a worker thread');
const port = parentPort;
port.on('message', ([id, name, arg]) => {
  port.postMessage([id, tasks[name](arg)]);
});
