// The floor for processes: a hand-written child_process.fork loop (advanced serialization),
// one IPC message in, one IPC message out.
import * as tasks from '../tasks.mjs';

if (process.send === undefined) throw new Error('bare-fork-child.mjs must be started with child_process.fork');
const send = process.send.bind(process);
process.on('message', ([id, name, arg]) => {
  send([id, tasks[name](arg)]);
});
