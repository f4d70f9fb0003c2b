// workerpool's worker script (threads and processes): registers the shared task functions by name.
import workerpool from 'workerpool';
import * as tasks from '../tasks.mjs';

workerpool.worker({ ...tasks });
