import { Redis } from 'ioredis'
import type { RedisOptions } from 'ioredis'
import { RedisUnavailableError } from './errors.js'

/**
 * Where Redis is: a `redis://` / `rediss://` URL (`redis://user:pass@host:6379/0`) or ioredis
 * options (`{ host, port, password, tls, ... }`). It must be plain data: workers hand it to the
 * threads and processes that run tasks, for nested submission.
 *
 * @since 0.1.0
 */
export type Connection = string | RedisOptions

/** How long a first connection attempt may take before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000

/** The address of `connection` for messages, without a password. */
export function describeConnection(connection: Connection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection)
      if (url.password !== '') url.password = '***'
      return url.href
    } catch {
      return connection
    }
  }
  const host = connection.host ?? '127.0.0.1'
  const port = connection.port ?? 6379
  return connection.path ?? `redis://${host}:${String(port)}`
}

/**
 * An ioredis client that fails fast until it has connected once (so an unreachable Redis is an
 * error, not a hang), then reconnects on its own after an outage. `maxRetriesPerRequest: null`
 * (BullMQ requires it): commands wait for the connection to come back.
 */
export class RedisClient {
  readonly redis: Redis
  readonly #connection: Connection
  #connected = false
  #referenced = true
  #ready: Promise<void> | undefined

  constructor(connection: Connection, name: string) {
    this.#connection = connection
    const options: RedisOptions = {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      connectTimeout: CONNECT_TIMEOUT_MS,
      connectionName: name,
      retryStrategy: (times) => (this.#connected ? Math.min(times * 100, 2000) : null),
    }
    // ioredis 6 types its reply mapping per constructor overload; these options use the default one.
    const RedisClass = Redis as unknown as new (...args: [string, RedisOptions] | [RedisOptions]) => Redis
    this.redis =
      typeof connection === 'string' ? new RedisClass(connection, options) : new RedisClass({ ...connection, ...options })
    // ioredis reports every failed attempt as an 'error' event; the commands' own rejections carry
    // what callers need, and an unhandled 'error' event would crash the process.
    this.redis.on('error', () => undefined)
    this.redis.on('connect', () => {
      this.#applyRef()
    })
  }

  /** Connects once; rejects with {@link RedisUnavailableError} when Redis does not answer. */
  ready(): Promise<void> {
    this.#ready ??= this.redis.connect().then(
      () => {
        this.#connected = true
        this.#applyRef()
      },
      (error: unknown) => {
        this.#ready = undefined
        throw unavailable(this.#connection, error)
      },
    )
    return this.#ready
  }

  /** Whether the socket keeps the process alive: on while work is outstanding, off when idle. */
  ref(on: boolean): void {
    // (unchanged: nothing to do; a new socket after a reconnect gets it on 'connect')
    if (on === this.#referenced) return
    this.#referenced = on
    this.#applyRef()
  }

  #applyRef(): void {
    const stream = (this.redis as unknown as { stream?: { ref?: () => void; unref?: () => void } }).stream
    if (this.#referenced) stream?.ref?.()
    else stream?.unref?.()
  }

  /** Closes the connection (pending commands reject). */
  async close(): Promise<void> {
    if (this.redis.status === 'end' || this.redis.status === 'wait') {
      this.redis.disconnect()
      return
    }
    try {
      await this.redis.quit()
    } catch {
      this.redis.disconnect()
    }
  }
}

/** The error for a Redis that cannot be reached at `connection`. */
export function unavailable(connection: Connection, cause: unknown): RedisUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new RedisUnavailableError(
    `could not reach Redis at ${describeConnection(connection)} (${reason}). Start one ` +
      `(redis-server --port 6379, or docker run -p 6379:6379 redis:7) or point the connection at a running one.`,
    { cause },
  )
}
