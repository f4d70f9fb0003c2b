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
 */
import { lstat, readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { task } from '@x/concurrent'
import type { Executor, Future } from '@x/concurrent'
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
  const note = (message: string): void => {
    out.stderr.write(`x-sample hash: note: ${message}\n`)
  }
  for (const root of options.paths) await collect(root, files, fail, note)
  files.sort(byBytes)
  if (files.length === 0) return status // like find | xargs sha256sum: no output

  const workers = options.workers ?? defaultWorkers()
  await using executor = track(createExecutor(options.backend, workers))
  const progress = new Progress(`hash [${options.backend} x${String(workers)}]`, files.length, options.progress)
  for (const { path, result } of inOrder(executor, files, workers * 8)) {
    try {
      progress.print(out.stdout, sha256sumLine(await result, path))
    } catch (error) {
      if (interrupted.aborted) break
      fail(`${path}: ${describeIoError(error)}`)
    }
    progress.tick()
  }
  if (interrupted.aborted) progress.abandon()
  else progress.finish()
  if (executor instanceof LocalCluster) out.stderr.write(`x-sample hash: distributed: ${executor.describeWorkers()} of the ${String(files.length)} files\n`)
  return status
}

/**
 * Submits `sha256File` for the files in order, keeping at most `window` futures outstanding,
 * and yields them in input order (so output streams while later files are still hashing).
 */
function* inOrder(
  executor: Executor,
  files: readonly string[],
  window: number,
): Generator<{ path: string; result: Future<string> }> {
  const pending: { path: string; result: Future<string> }[] = []
  let next = 0
  const fill = (): void => {
    for (let path = files[next]; path !== undefined && pending.length < window && !interrupted.aborted; path = files[next]) {
      next++
      pending.push({
        path,
        result: executor.submitWith({ name: path, signal: interrupted }, sha256File, resolve(path)),
      })
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
async function collect(root: string, files: string[], fail: (message: string) => void, note: (message: string) => void): Promise<void> {
  let stats
  try {
    stats = await lstat(root)
  } catch (error) {
    fail(`'${root}': ${describeIoError(error)}`)
    return
  }
  if (stats.isFile()) {
    files.push(root)
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
      if (entry.isFile()) files.push(path)
      else if (entry.isDirectory()) await walk(path)
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
  const code = (error as { code?: unknown } | null)?.code
  return (typeof code === 'string' ? IO_MESSAGES[code] : undefined) ?? messageOf(error)
}
