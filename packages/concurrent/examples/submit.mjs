import { ThreadPoolExecutor, task } from '@x/concurrent'

// In TypeScript, task<typeof import('./tasks.js').pow>(...) types submit's arguments and result.
const pow = task(new URL('./tasks.mjs', import.meta.url), 'pow')

const executor = new ThreadPoolExecutor({ maxWorkers: 1 })
const future = executor.submit(pow, 323n, 1235n) // runs in a worker thread
const digits = String(await future) // 3,099 digits, as Python's print(pow(323, 1235))
console.log(digits.length, digits.slice(0, 12))
await executor.shutdown() // TypeScript: `await using executor = ...` does this at the end of the block
