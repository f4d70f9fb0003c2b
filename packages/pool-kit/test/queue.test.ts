import { describe, expect, it } from 'vitest'
import { FifoQueue } from '../src/queue.js'

describe('FifoQueue', () => {
  it('is first in, first out across many wrap-arounds and growths', () => {
    const queue = new FifoQueue<number>(4)
    const model: number[] = []
    let next = 0
    for (let round = 0; round < 2000; round++) {
      const pushes = round % 7
      for (let i = 0; i < pushes; i++) {
        queue.push(next)
        model.push(next++)
      }
      const shifts = round % 5
      for (let i = 0; i < shifts; i++) expect(queue.shift()).toBe(model.shift())
      expect(queue.size).toBe(model.length)
      expect(queue.peek()).toBe(model[0])
    }
    expect([...queue]).toEqual(model)
  })

  it('unshiftAll puts work back at the front in its original order', () => {
    const queue = new FifoQueue<string>(4)
    for (const v of ['c', 'd', 'e']) queue.push(v)
    queue.shift()
    queue.unshiftAll(['a', 'b', 'x', 'y', 'z'])
    expect(queue.drain()).toEqual(['a', 'b', 'x', 'y', 'z', 'd', 'e'])
    expect(queue.size).toBe(0)
    expect(queue.shift()).toBeUndefined()
  })

  it('releases consumed values (no reference kept to what was shifted)', () => {
    const queue = new FifoQueue<object>(4)
    const a = {}
    queue.push(a)
    queue.shift()
    expect([...queue]).toEqual([])
    queue.unshiftAll([])
    expect(queue.peek()).toBeUndefined()
  })
})
