/**
 * Compact forms for `map()` chunks (internal): a chunk's argument tuples travel as columns, and
 * a column (or a chunk's results) made only of numbers travels as a `Float64Array`, which Node's
 * serializer copies as one block instead of value by value. `Float64Array` keeps every number
 * exactly (`-0`, `NaN` and fractions included).
 *
 * @internal
 * @module
 */

/** A column: the values, or their packed form. */
export type Column = unknown[] | Float64Array

/** `[count, column 1, column 2, ...]`: argument tuples by position. */
export type PackedTuples = [count: number, ...columns: Column[]]

export function packColumn(values: unknown[]): Column {
  for (const value of values) if (typeof value !== 'number') return values
  return Float64Array.from(values as number[])
}

export function unpackColumn(column: Column): unknown[] {
  if (!(column instanceof Float64Array)) return column
  // a plain loop: much faster than Array.from() on a typed array in V8
  const values = new Array<unknown>(column.length)
  for (let i = 0; i < column.length; i++) values[i] = column[i]
  return values
}

export function packTuples(tuples: unknown[][]): PackedTuples {
  const width = tuples[0]?.length ?? 0
  const count = tuples.length
  const packed: PackedTuples = [count]
  for (let j = 0; j < width; j++) {
    let numbers = true
    for (let i = 0; i < count && numbers; i++) numbers = typeof tuples[i]?.[j] === 'number'
    if (numbers) {
      const column = new Float64Array(count)
      for (let i = 0; i < count; i++) column[i] = tuples[i]?.[j] as number
      packed.push(column)
    } else {
      const column = new Array<unknown>(count)
      for (let i = 0; i < count; i++) column[i] = tuples[i]?.[j]
      packed.push(column)
    }
  }
  return packed
}
