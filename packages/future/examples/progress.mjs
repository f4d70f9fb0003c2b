import { AsyncPoolExecutor, currentTask } from '@x/future'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const executor = new AsyncPoolExecutor({ maxWorkers: 2 })

const job = executor.submit(async (files) => {
  for (let i = 1; i <= files.length; i++) {
    await sleep(5) // the work on files[i - 1]
    currentTask()?.progress?.(`${i}/${files.length}`) // cheap: reports are coalesced
  }
  return 'hashed'
}, ['a', 'b', 'c'])

const seen = []
const unsubscribe = job.onProgress((value) => seen.push(value))
console.log(await job) // hashed
console.log(seen.at(-1)) // 3/3: the last report arrives before the result, none after
unsubscribe()

// stream(): a generator in a task, consumed as it yields, paused at highWaterMark
async function* countdown(from) {
  try {
    for (let n = from; n > 0; n--) {
      await sleep(1)
      yield n
    }
  } finally {
    console.log('generator closed')
  }
}
const got = []
for await (const n of executor.stream(countdown, 10, { highWaterMark: 2 })) {
  got.push(n)
  if (n === 7) break // aborts the task's signal and closes the generator
}
await executor.shutdown() // waits for the task, which ends once the generator is closed
console.log(got.join(' ')) // 10 9 8 7
