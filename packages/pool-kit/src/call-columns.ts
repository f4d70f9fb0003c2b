/**
 * `map()`'s chunks as a pool sends them: the arguments by column, packed, each call's arguments
 * checked (sendable, no native function) before anything is queued.
 *
 * @module
 */
import { checkArguments } from '@x/future'
import type { MapColumn } from '@x/future'
import { packColumn } from './chunk-codec.js'
import type { PackedTuples } from './chunk-codec.js'

/**
 * Packs `count` calls given by column (`columns[j][i]` is argument `j` of call `i`), checking the
 * arguments of every call that holds an object or a function (a column of numbers holds none;
 * one `map()` read as a `Float64Array` goes as it is).
 * @throws what `checkArguments` throws for a call whose arguments cannot be sent.
 * @since 0.1.0
 */
export function packCallColumns(count: number, columns: MapColumn[]): PackedTuples {
  const packed: PackedTuples = [count]
  for (const column of columns) {
    const packedColumn = packColumn(column)
    packed.push(packedColumn)
    if (packedColumn instanceof Float64Array) continue
    for (let i = 0; i < count; i++) {
      const value = column[i]
      if ((typeof value === 'object' && value !== null) || typeof value === 'function') checkArguments(columns.map((c) => c[i]))
    }
  }
  return packed
}
