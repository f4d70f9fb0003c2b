// Raw BullMQ's side of the distributed benchmark: a Worker of the given concurrency running the
// same tiny task inline (its processor is async, on the process's own thread, like x-worker's
// async backend). Arguments: queue, concurrency. Prints "ready" once it serves.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { inc } from '../tasks.mjs';

const [queue, concurrency] = process.argv.slice(2);
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker(queue, async (job) => inc(job.data.x), { connection, concurrency: Number(concurrency) });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close(true).then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
