// The task functions every peer runs. Each takes ONE argument (piscina, tinypool and poolifier
// pass a single payload), so the same function serves every pool. The worker entry files in
// ./workers/ wrap these for pools that need their own worker script (workerpool, poolifier, the
// bare loops); piscina, tinypool and the @x pools load this module directly.

/** W1, W2, W5, W8: the tiny task. */
export function inc(x) {
  return x + 1;
}

/**
 * W3: a CPU-bound task. A 32-bit integer hash iterated `n` times from `seed`; deterministic, so the
 * runner can check every result, and it cannot be optimised away (the result depends on every step).
 * python/pytasks.py implements the same recurrence bit for bit.
 */
export function spin([seed, n]) {
  let h = seed | 0;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) | 0;
  }
  return h;
}

/** W4, per item (executor.map with chunksize: the pool batches the calls). */
export function square(x) {
  return x * x;
}

/** W4, per chunk: what a user of a pool without chunked map writes by hand. */
export function squareChunk(xs) {
  const out = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i] * xs[i];
  return out;
}

/**
 * W6: sum a Float64Array (copied or transferred to the worker). An indexed loop, not `for (const x
 * of arr)`: V8 (Node 20) optimizes a for-of version on another thread while its second call
 * starts, and when that compile reads the call's feedback before the iterator's setup (above the
 * loop) has run, the code it makes bails out ("Insufficient type feedback for generic named
 * access") and the function is not optimized again: that thread then sums ~3x slower for the rest
 * of the run. Which threads lose that race changed W6's throughput 2-3x from one process to the
 * next, for every peer alike (README, "W6 and V8's compile race").
 */
export function sumF64(arr) {
  let s = 0;
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed on purpose (above)
  for (let i = 0; i < arr.length; i++) s += arr[i];
  return s;
}
