// poolifier's worker script: one ThreadWorker with the shared task functions by name.
import { ThreadWorker } from 'poolifier';
import * as tasks from '../tasks.mjs';

export default new ThreadWorker({ ...tasks });
