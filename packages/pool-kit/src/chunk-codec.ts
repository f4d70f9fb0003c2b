/**
 * The compact form of `map()` chunks: a chunk's argument tuples travel as columns, and a column
 * (or a chunk's results) made only of numbers travels as a `Float64Array`, which structured
 * clone and Node's serializer copy as one block instead of value by value. `Float64Array` keeps
 * every number exactly (`-0`, `NaN` and fractions included).
 *
 * @module
 */

/**
 * A column: the values, or their packed form.
 * @since 0.1.0
 */
export type Column = unknown[] | Float64Array

/**
 * `[count, column 1, column 2, ...]`: argument tuples by position.
 * @since 0.1.0
 */
export type PackedTuples = [count: number, ...columns: Column[]]

/**
 * Packs one column: a `Float64Array` when every value is a number, else the values as they are
 * (a `Float64Array` is packed already: itself).
 * @since 0.1.0
 */
export function packColumn(values: Column): Column {
  if (values instanceof Float64Array) return values
  const count = values.length
  for (let i = 0; i < count; i++) if (typeof values[i] !== 'number') return values
  // a plain loop: Float64Array.from() goes through the iterator protocol
  const column = new Float64Array(count)
  for (let i = 0; i < count; i++) column[i] = values[i] as number
  return column
}

/**
 * The values of a column made by {@link packColumn}.
 * @since 0.1.0
 */
export function unpackColumn(column: Column): unknown[] {
  if (!(column instanceof Float64Array)) return column
  // a plain loop: much faster than Array.from() on a typed array in V8
  const values = new Array<unknown>(column.length)
  for (let i = 0; i < column.length; i++) values[i] = column[i]
  return values
}

/**
 * Packs argument tuples (all of one width) into columns.
 * @example
 * ```ts
 * packTuples([[1, 'a'], [2, 'b']]) // [2, Float64Array [1, 2], ['a', 'b']]
 * ```
 * @since 0.1.0
 */
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

/**
 * The argument tuples of a packed chunk, each labelled for an error message
 * (`argument 2 of item 5`).
 * @since 0.1.0
 */
export function labelledArguments(packed: PackedTuples): (readonly [value: unknown, label: string])[] {
  const [count, ...columns] = packed
  const out: (readonly [unknown, string])[] = []
  for (let row = 0; row < count; row++) {
    columns.forEach((column, j) => out.push([(column as ArrayLike<unknown>)[row], `argument ${String(j + 1)} of item ${String(row + 1)}`]))
  }
  return out
}
