/**
 * A chunk's column as `map()` reads it from a plain array input: the values of a range, each
 * read once, as a `Float64Array` while they are all numbers (what a pool sends for a column of
 * numbers, made in the same pass that reads them), else as an array.
 *
 * @module
 */

/**
 * One argument of each call of a chunk, by position: an array, or a `Float64Array` when every
 * value is a number (it reads back the same numbers, `-0` and `NaN` included).
 * @since 0.1.0
 */
export type MapColumn = unknown[] | Float64Array

/**
 * `source[start]` to `source[end - 1]`, each read once and in order (what iterating the array
 * over that range reads; a hole reads as `undefined`): a `Float64Array` when they are all
 * numbers, else an array. Reading the range into a `Float64Array` in one pass saves a pool the
 * copy that `slice()` then packing the column would make (issue 13, W4: 200 chunks of 1000
 * numbers, 5 ms of the main thread's time down to under 2 ms in a fresh process).
 */
export function readColumn(source: readonly unknown[], start: number, end: number): MapColumn {
  const count = end - start
  if (count <= 0) return []
  const first = source[start]
  if (typeof first !== 'number') {
    // (slice() copies natively, and a hole stays one in the copy, reading as undefined there)
    const values = source.slice(start + 1, end)
    values.unshift(first)
    return values
  }
  const numbers = new Float64Array(count)
  numbers[0] = first
  for (let i = 1; i < count; i++) {
    const value = source[start + i]
    if (typeof value !== 'number') return mixedColumn(source, start, end, numbers, i, value)
    numbers[i] = value
  }
  return numbers
}

/** The range as an array, once value `i` (read already) is not a number: `numbers` holds those before it. */
function mixedColumn(source: readonly unknown[], start: number, end: number, numbers: Float64Array, i: number, value: unknown): unknown[] {
  const values: unknown[] = []
  for (let j = 0; j < i; j++) values.push(numbers[j])
  values.push(value)
  for (let j = start + i + 1; j < end; j++) values.push(source[j])
  return values
}
