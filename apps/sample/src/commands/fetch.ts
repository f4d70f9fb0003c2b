/**
 * `fetch`: Python's ThreadPoolExecutor example ("load several URLs, print each page's size as it
 * arrives"), on AsyncPoolExecutor: downloading is I/O, so one thread with several calls in flight
 * is the right backend in Node. The URLs point at a server this command starts on 127.0.0.1.
 *
 * Python:
 *     with ThreadPoolExecutor(max_workers=5) as executor:
 *         future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
 *         for future in as_completed(future_to_url):
 *             ...print('%r page is %d bytes' % (url, len(data)))
 */
import { AsyncPoolExecutor, asCompleted, currentTask } from '@x/concurrent'
import { interrupted, track } from '../lifecycle.js'
import { messageOf, say } from '../output.js'
import type { Output } from '../output.js'
import { closedPort, ROUTES, startServer } from '../server.js'

export interface FetchOptions {
  readonly workers: number | undefined
  readonly timeout: number | undefined
}

/** Python's `load_url`: the page's bytes, or an error (HTTP status, refused, timed out). */
async function loadUrl(url: string, timeout: number): Promise<Uint8Array> {
  const signals = [AbortSignal.timeout(timeout)]
  const taskSignal = currentTask()?.signal
  if (taskSignal !== undefined) signals.push(taskSignal)
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.any(signals) })
  } catch (error) {
    throw new Error(describeFetchError(error, timeout), { cause: error })
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`HTTP Error ${String(response.status)}: ${response.statusText}`)
  }
  return new Uint8Array(await response.arrayBuffer())
}

function describeFetchError(error: unknown, timeout: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `timed out after ${String(timeout)} ms`
  }
  const cause = (error as { cause?: unknown }).cause
  return cause === undefined ? messageOf(error) : `${messageOf(error)} (${messageOf(cause)})`
}

export async function fetchCommand(options: FetchOptions, out: Output): Promise<number> {
  const server = await startServer()
  try {
    const refused = `http://127.0.0.1:${String(await closedPort())}/`
    const urls = [...ROUTES.map((r) => `${server.origin}${r.path}`), refused]
    const timeout = options.timeout ?? 1000
    const workers = options.workers ?? 5
    say(out, `Serving ${String(ROUTES.length)} routes on ${server.origin}; ${refused} refuses connections.`)
    say(out, `Loading ${String(urls.length)} URLs on AsyncPoolExecutor({ maxWorkers: ${String(workers)} }), timeout ${String(timeout)} ms, with asCompleted:`)
    const started = performance.now()
    await using executor = track(new AsyncPoolExecutor({ maxWorkers: workers }))
    // Python keeps a dict future -> url; here the url is the future's name.
    const futures = urls.map((url) => executor.submitWith({ name: url, signal: interrupted }, loadUrl, url, timeout))
    let pages = 0
    for await (const future of asCompleted(futures)) {
      const url = future.name ?? '?'
      try {
        const data = await future.result()
        pages++
        say(out, `'${url}' page is ${String(data.length)} bytes`)
      } catch (error) {
        say(out, `'${url}' generated an exception: ${messageOf(error)}`)
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    say(out, `${String(pages)} pages, ${String(urls.length - pages)} errors, in ${seconds} s (the slowest call, not the sum).`)
    return 0
  } finally {
    await server.close()
  }
}
