import { currentTask } from '@x/future'

export function sumOfSquares(n) {
  let sum = 0n
  for (let i = 1; i <= n; i++) {
    sum += BigInt(i) ** 2n
    if (i % 1000 === 0) currentTask().progress({ done: i, of: n }) // cheap: coalesced in the child
  }
  return sum
}

export async function* countdown(from) {
  const { signal } = currentTask() // aborts when the consumer stops
  for (let n = from; n > 0 && !signal.aborted; n--) yield n
}
