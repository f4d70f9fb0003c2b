// tasks.mjs: the functions the pools run. A worker imports this module itself and calls the
// export by name, so these functions may use the module's imports and variables.
import { currentTask, task } from '@x/concurrent'

export function pow(base, exponent) {
  return base ** exponent
}

export function isPrime(n) {
  if (n < 2) return false
  if (n % 2 === 0) return n === 2
  for (let i = 3; i <= Math.sqrt(n); i += 2) if (n % i === 0) return false
  return true
}

export async function failAfter(ms, message) {
  await new Promise((resolve) => setTimeout(resolve, ms))
  throw new RangeError(message)
}

// Python's second deadlock example: the task submits pow(5, 2) to its own pool and waits.
const powTask = task(new URL(import.meta.url), 'pow')
export async function waitOnFuture() {
  const f = currentTask().executor.submit(powTask, 5n, 2n)
  return await f.result() // with maxWorkers: 1, the only worker is busy right here
}
