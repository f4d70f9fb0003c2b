import { describe, expect, it } from 'vitest'
import { packCallColumns } from '../src/call-columns.js'
import { labelledArguments, packColumn, packTuples, unpackColumn } from '../src/chunk-codec.js'

describe('chunk codec', () => {
  it('packs number columns as Float64Array, exactly (-0, NaN, fractions), and others as they are', () => {
    const packed = packTuples([
      [1, 'a'],
      [-0, 'b'],
      [Number.NaN, 'c'],
      [0.1, 'd'],
    ])
    expect(packed[0]).toBe(4)
    expect(packed[1]).toBeInstanceOf(Float64Array)
    expect(unpackColumn(packed[1] as Float64Array)).toEqual([1, -0, Number.NaN, 0.1])
    expect(Object.is(unpackColumn(packed[1] as Float64Array)[1], -0)).toBe(true)
    expect(packed[2]).toEqual(['a', 'b', 'c', 'd'])
  })

  it('packColumn keeps mixed results as an array', () => {
    expect(packColumn([1, 2])).toBeInstanceOf(Float64Array)
    expect(packColumn([1, 2n])).toEqual([1, 2n])
    expect(packTuples([])).toEqual([0])
  })

  it('packColumn and packCallColumns send a column map() read as a Float64Array as it is', () => {
    const column = new Float64Array([1, -0, Number.NaN])
    expect(packColumn(column)).toBe(column)
    const packed = packCallColumns(3, [column, ['a', { b: 1 }, null]])
    expect(packed[0]).toBe(3)
    expect(packed[1]).toBe(column)
    expect(packed[2]).toEqual(['a', { b: 1 }, null])
  })

  it('labels each argument of a chunk for error messages', () => {
    expect(labelledArguments(packTuples([[1, 'x'], [2, 'y']])).map(([, label]) => label)).toEqual([
      'argument 1 of item 1',
      'argument 2 of item 1',
      'argument 1 of item 2',
      'argument 2 of item 2',
    ])
  })
})
