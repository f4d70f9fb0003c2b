/**
 * A small HTTP server on 127.0.0.1 (a random free port) for the `fetch` command: some pages are
 * quick, one is slow, one is large, one stalls past any sensible timeout, one fails with 500.
 * Only the loopback interface is used, so the demo needs no network.
 */
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Route {
  readonly path: string
  /** What the route does, for the command's header. */
  readonly note: string
  /** Body size in bytes when it succeeds. */
  readonly bytes?: number
}

/** The routes, in the order `fetch` asks for them (Python's example has a list of URLs). */
export const ROUTES: readonly Route[] = [
  { path: '/', note: 'quick', bytes: 2_048 },
  { path: '/slow', note: 'answers after 400 ms', bytes: 5_120 },
  { path: '/large', note: '256 KiB in 16 chunks', bytes: 262_144 },
  { path: '/news', note: 'quick', bytes: 12_345 },
  { path: '/stall', note: 'never answers (times out)' },
  { path: '/fail', note: 'fails with HTTP 500' },
]

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Stops the server and drops its connections (including the stalled one). */
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** A deterministic page of exactly `bytes` bytes (ASCII). */
function page(bytes: number): string {
  const head = '<!doctype html><title>@x sample</title><p>'
  return (head + 'x'.repeat(Math.max(0, bytes - head.length))).slice(0, bytes)
}

export async function startServer(): Promise<LoopbackServer> {
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  const server = createServer((req, res) => {
    switch (req.url ?? '') {
      case '/':
        send(res, 200, page(2_048))
        break
      case '/news':
        send(res, 200, page(12_345))
        break
      case '/slow':
        later(400, () => {
          send(res, 200, page(5_120))
        })
        break
      case '/large': {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 262_144 })
        const chunk = Buffer.alloc(16_384, 0x61)
        let sent = 0
        const more = (): void => {
          res.write(chunk)
          if (++sent === 16) res.end()
          else later(5, more)
        }
        more()
        break
      }
      case '/stall':
        break // never answers; close() drops the connection
      case '/fail':
        send(res, 500, 'Internal Server Error')
        break
      default:
        send(res, 404, 'Not Found')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}

/** A loopback port with nothing listening on it (connecting is refused), like a dead host. */
export async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => {
    resolve()
  }))
  return port
}
