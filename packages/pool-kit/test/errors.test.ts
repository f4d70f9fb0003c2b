import { FutureError } from '@x/future'
import { describe, expect, it } from 'vitest'
import { SerializationError, WorkerDiedError } from '../src/errors.js'
import { isPoolMessage } from '../src/protocol.js'

describe('shared errors', () => {
  it('WorkerDiedError is a FutureError with the exit code or the signal', () => {
    const error = new WorkerDiedError('gone', 'ERR_X', { exitCode: undefined, signal: 'SIGKILL' })
    expect(error).toBeInstanceOf(FutureError)
    expect(error.name).toBe('WorkerDiedError')
    expect(error.code).toBe('ERR_X')
    expect(error.signal).toBe('SIGKILL')
    expect(error.exitCode).toBeUndefined()
    class SubDied extends WorkerDiedError {}
    expect(new SubDied('x', 'ERR_Y', { exitCode: 3, signal: undefined }).name).toBe('SubDied')
  })

  it('SerializationError is a TypeError with a code (a pool may set its own)', () => {
    const cause = new Error('could not be cloned')
    const error = new SerializationError('argument 1 cannot be sent', { cause })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe('ERR_SERIALIZATION')
    expect(error.cause).toBe(cause)
    expect(error.name).toBe('SerializationError')
    expect(Object.keys(error)).toEqual(['code'])
    expect(new SerializationError('x', { code: 'ERR_OTHER' }).code).toBe('ERR_OTHER')
  })
})

describe('protocol', () => {
  it('tells pool messages from others on a shared channel', () => {
    expect(isPoolMessage({ type: 'cancel', ref: 1 })).toBe(true)
    expect(isPoolMessage({ __tinypool_worker_message__: true, type: 'x' })).toBe(false)
    expect(isPoolMessage(['run'])).toBe(false)
    expect(isPoolMessage(null)).toBe(false)
  })
})
