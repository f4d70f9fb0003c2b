import { ProcessPoolExecutor, task } from '@x/concurrent'

const isPrime = task(new URL('./tasks.mjs', import.meta.url), 'isPrime')
const PRIMES = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419]

const executor = new ProcessPoolExecutor({ maxWorkers: 2 })
let i = 0
for await (const prime of executor.map(isPrime, PRIMES, { chunksize: 3 })) {
  console.log(`${PRIMES[i++]} is prime: ${prime}`) // in input order; each chunk of 3 numbers is one task in a child
}
await executor.shutdown()
