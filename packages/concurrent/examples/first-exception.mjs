import { FIRST_EXCEPTION, ThreadPoolExecutor, task, wait } from '@x/concurrent'

const failAfter = task(new URL('./tasks.mjs', import.meta.url), 'failAfter')
const executor = new ThreadPoolExecutor({ maxWorkers: 1 })

const futures = [10, 20, 30].map((ms) => executor.submit(failAfter, ms, `failed after ${ms} ms`))
const { done, notDone } = await wait(futures, { returnWhen: FIRST_EXCEPTION, timeout: 5_000 })
console.log(done.size, notDone.size, String(await futures[0].exception())) // 1 2 RangeError: failed after 10 ms
for (const f of notDone) f.cancel() // true for each one that had not started yet
await executor.shutdown()
