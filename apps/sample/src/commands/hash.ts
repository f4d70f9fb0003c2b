/**
 * `hash <path>...`: `sha256sum` for every regular file under the given folders, in parallel.
 *
 * Output is byte-for-byte what this pipeline prints (GNU find and coreutils):
 *
 *     find <path>... -type f -print0 | LC_ALL=C sort -z | xargs -r0 sha256sum
 *
 * - which files: regular files only, like `find -type f` without `-L`: symbolic links (to files or
 *   folders) are neither hashed nor followed, hidden files are included;
 * - paths: as `find` prints them, starting with the folder exactly as given: `dir` and `dir/`
 *   give `dir/a`, `./dir` gives `./dir/a`, an absolute folder gives absolute paths;
 * - order: every path sorted by its UTF-8 bytes (the C locale), across all the folders given;
 * - each line `<hex>  <path>`; a path with a backslash, newline or carriage return is escaped and
 *   its line starts with `\`, as `sha256sum` does;
 * - an unreadable file or folder is reported on stderr and skipped; the exit status is then 1.
 *
 * On an executor with `stream()` each worker runs one generator over its share of the files and
 * streams their digests back (with backpressure); the progress bar counts the bytes the workers
 * report with `currentTask().progress()`, so it moves inside a large file.
 */
import { lstat, readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { task } from '@x/concurrent'
import type { Executor, Future, StreamOptions } from '@x/concurrent'
import { createExecutor, defaultWorkers } from '../backends.js'
import { LocalCluster } from '../distributed.js'
import type { Backend } from '../backends.js'
import { interrupted, track } from '../lifecycle.js'
import { messageOf } from '../output.js'
import type { Output } from '../output.js'
import { Progress } from '../progress.js'
import type { ProgressOptions } from '../progress.js'
import type * as tasks from '../tasks.js'

const sha256File = task<typeof tasks.sha256File>(new URL('../tasks.js', import.meta.url), 'sha256File')
const sha256Files = task<typeof tasks.sha256Files>(new URL('../tasks.js', import.meta.url), 'sha256Files')

/** An executor with `stream()` (the async, thread and process pools). */
type Streaming = Executor & {
  stream(fn: typeof sha256Files, paths: readonly string[], options: StreamOptions): AsyncIterableIterator<tasks.FileDigest>
}

function canStream(executor: Executor): executor is Streaming {
  return typeof (executor as Partial<Streaming>).stream === 'function'
}

export interface HashOptions {
  readonly paths: readonly string[]
  readonly backend: Backend
  readonly workers: number | undefined
  readonly progress: ProgressOptions
}

/** Runs the command; resolves to the exit status. */
export async function hash(options: HashOptions, out: Output): Promise<number> {
  let status = 0
  const fail = (message: string): void => {
    status = 1
    out.stderr.write(`x-sample hash: ${message}\n`)
  }
  const files: string[] = []
  const sizes = new Map<string, number>()
  const note = (message: string): void => {
    out.stderr.write(`x-sample hash: note: ${message}\n`)
  }
  for (const root of options.paths) await collect(root, files, sizes, fail, note)
  files.sort(byBytes)
  if (files.length === 0) return status // like find | xargs sha256sum: no output

  const workers = options.workers ?? defaultWorkers()
  await using executor = track(createExecutor(options.backend, workers))
  let totalBytes = 0
  for (const size of sizes.values()) totalBytes += size
  const progress = new Progress(`hash [${options.backend} x${String(workers)}]`, files.length, options.progress, totalBytes)
  const print = (path: string, result: tasks.FileDigest | Error): void => {
    if ('hex' in result) progress.print(out.stdout, sha256sumLine(result.hex, path))
    else fail(`${path}: ${describeIoError('error' in result ? result.error : result)}`)
    progress.tick()
  }
  if (canStream(executor)) await hashStreams(executor, files, Math.min(workers, files.length), progress, print)
  else await hashFiles(executor, files, sizes, workers * 8, progress, print)
  if (interrupted.aborted) progress.abandon()
  else progress.finish()
  if (executor instanceof LocalCluster) out.stderr.write(`x-sample hash: distributed: ${executor.describeWorkers()} of the ${String(files.length)} files\n`)
  return status
}

/**
 * With `stream()`: the files are dealt round-robin to `streams` generators (`sha256Files`), one
 * per worker; file `i` is the next value of stream `i % streams`, so reading the streams in turn
 * gives the results in file order while every worker hashes ahead (at most `highWaterMark`
 * results each: the rest wait for the printing to catch up). Each stream reports the bytes it has
 * hashed; their sum drives the progress bar.
 */
async function hashStreams(
  executor: Streaming,
  files: readonly string[],
  streams: number,
  progress: Progress,
  print: (path: string, result: tasks.FileDigest | Error) => void,
): Promise<void> {
  const hashed = new Array<number>(streams).fill(0)
  const groups = Array.from({ length: streams }, (_, g) => files.filter((_, i) => i % streams === g).map((path) => resolve(path)))
  const iterators = groups.map((paths, g) =>
    executor.stream(sha256Files, paths, {
      highWaterMark: 8,
      name: `sha256Files #${String(g + 1)}`,
      signal: interrupted,
      onProgress: (bytes) => {
        hashed[g] = bytes as number
        progress.bytes(hashed.reduce((a, b) => a + b, 0))
      },
    }),
  )
  try {
    for (const [i, path] of files.entries()) {
      const iterator = iterators[i % streams]
      if (iterator === undefined) return
      let step: IteratorResult<tasks.FileDigest>
      try {
        step = await iterator.next()
      } catch (error) {
        if (interrupted.aborted) return
        // the stream failed (its worker died): this file and the rest of its group are lost
        print(path, error instanceof Error ? error : new Error(String(error)))
        return
      }
      if (step.done === true) return // interrupted
      print(path, step.value)
    }
  } finally {
    // stops the streams still running (after Ctrl-C or a failed stream); the others are done
    for (const iterator of iterators) await iterator.return?.()
  }
}

/** Without `stream()`: one `sha256File` call per file, each reporting its bytes as progress. */
async function hashFiles(
  executor: Executor,
  files: readonly string[],
  sizes: ReadonlyMap<string, number>,
  window: number,
  progress: Progress,
  print: (path: string, result: tasks.FileDigest | Error) => void,
): Promise<void> {
  let bytes = 0
  for (const { path, result, reported } of inOrder(executor, files, window, (delta) => {
    bytes += delta
    progress.bytes(bytes)
  })) {
    try {
      const hex = await result
      bytes += (sizes.get(path) ?? 0) - reported()
      print(path, { hex })
    } catch (error) {
      if (interrupted.aborted) return
      print(path, error instanceof Error ? error : new Error(String(error)))
    }
  }
}

/**
 * Submits `sha256File` for the files in order, keeping at most `window` futures outstanding,
 * and yields them in input order (so output streams while later files are still hashing);
 * `onBytes` hears the bytes each call reports as it hashes.
 */
function* inOrder(
  executor: Executor,
  files: readonly string[],
  window: number,
  onBytes: (delta: number) => void,
): Generator<{ path: string; result: Future<string>; reported: () => number }> {
  const pending: { path: string; result: Future<string>; reported: () => number }[] = []
  let next = 0
  const fill = (): void => {
    for (let path = files[next]; path !== undefined && pending.length < window && !interrupted.aborted; path = files[next]) {
      next++
      const result = executor.submitWith({ name: path, signal: interrupted }, sha256File, resolve(path))
      let reported = 0
      result.onProgress((bytes) => {
        onBytes((bytes as number) - reported)
        reported = bytes as number
      })
      pending.push({ path, result, reported: () => reported })
    }
  }
  fill()
  try {
    for (let item = pending.shift(); item !== undefined; item = pending.shift()) {
      fill()
      yield item
    }
  } finally {
    for (const item of pending) item.result.cancel()
  }
}

/** Adds the regular files under `root` to `files`, as `find root -type f` would print them. */
async function collect(
  root: string,
  files: string[],
  sizes: Map<string, number>,
  fail: (message: string) => void,
  note: (message: string) => void,
): Promise<void> {
  let stats
  try {
    stats = await lstat(root)
  } catch (error) {
    fail(`'${root}': ${describeIoError(error)}`)
    return
  }
  if (stats.isFile()) {
    files.push(root)
    sizes.set(root, stats.size)
    return
  }
  if (stats.isSymbolicLink()) {
    // find -type f (which is -P) neither follows nor lists it, and is not an error; say so on
    // stderr, since it surprises people.
    note(`'${root}' is a symbolic link: like find -type f, hash does not follow it (write '${root}/' to follow it)`)
    return
  }
  if (!stats.isDirectory()) return
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      fail(`'${dir}': ${describeIoError(error)}`)
      return
    }
    for (const entry of entries) {
      const path = dir.endsWith('/') ? `${dir}${entry.name}` : `${dir}/${entry.name}`
      if (entry.isFile()) {
        files.push(path)
        // for the progress bar, which counts bytes (a file gone meanwhile fails when it is hashed)
        sizes.set(path, await lstat(path).then((s) => s.size, () => 0))
      } else if (entry.isDirectory()) await walk(path)
    }
  }
  await walk(root)
}

/** Compares two paths by their UTF-8 bytes (what `LC_ALL=C sort` does). */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** One line of `sha256sum` output, with its escaping of `\`, newline and carriage return. */
export function sha256sumLine(hex: string, path: string): string {
  if (!/[\\\n\r]/u.test(path)) return `${hex}  ${path}\n`
  const escaped = path.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r')
  return `\\${hex}  ${escaped}\n`
}

const IO_MESSAGES: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENOTDIR: 'Not a directory',
}

function describeIoError(error: unknown): string {
  // a FileDigest's error: { code, message }, or an Error
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  const known = typeof code === 'string' ? IO_MESSAGES[code] : undefined
  return known ?? (error instanceof Error || typeof message !== 'string' ? messageOf(error) : message)
}
