#!/usr/bin/env node
/**
 * x-sample: the @x sample app. `x-sample --help` lists the commands; `pnpm demo` at the
 * repository root runs the tour.
 */
import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { ALL_BACKENDS, BACKENDS } from './backends.js'
import { fetchCommand } from './commands/fetch.js'
import { hash } from './commands/hash.js'
import { GRAPH_FORMATS } from './commands/deadlocks.js'
import { primes } from './commands/primes.js'
import { tour } from './commands/tour.js'
import { handleInterrupts } from './lifecycle.js'
import { messageOf, processOutput } from './output.js'
import { progressOptions } from './progress.js'
import { EXIT_USAGE, parseChoice, parseCount, parseMilliseconds, parseWorkers, UsageError } from './usage.js'

const HELP = `Usage: x-sample [command] [options]
       (from the repository root: pnpm demo [command] [options])

Python's concurrent.futures, ported to Node.js with @x/concurrent.

Commands:
  tour            (the default) every example of Python's concurrent.futures docs, ported:
                  pow(323, 1235) on a thread pool, map() with chunksize on a process pool,
                  asCompleted(), the two deadlocks caught by the detector, and nested
                  submission from a process-pool task
  primes          Python's ProcessPoolExecutor example: which of six large numbers are prime,
                  on each backend (async, thread, process), timed, with a progress bar
  fetch           Python's ThreadPoolExecutor example: load URLs with asCompleted() from a
                  server this command starts on 127.0.0.1 (some slow, one failing)
  hash <path>...  the SHA-256 of every file under the folders, in parallel, printed exactly
                  as 'find <path> -type f -print0 | LC_ALL=C sort -z | xargs -r0 sha256sum'

Options:
  -h, --help      this help; 'x-sample <command> --help' shows a command's options

Ctrl-C cancels queued work, shuts the pools down and exits with status 130.
`

const COMMAND_HELP: Readonly<Record<string, string>> = {
  tour: `Usage: x-sample tour [--graph mermaid|dot]

Runs every example of Python's concurrent.futures documentation, ported, with a few lines of
output each. The deadlock examples print the detector's report and a graph of the wait: as
text, and as Mermaid (default) or Graphviz DOT (--graph dot).
`,
  primes: `Usage: x-sample primes [--backend async|thread|process|distributed|all] [--workers N] [--repeat N] [--progress]

Python's ProcessPoolExecutor example: is each of six large numbers prime? Runs on each backend
(default: all three, one after another) and prints the time each took.

  --backend B     only this backend (default: all three local ones); distributed starts two local
                  x-workers on the Redis at REDIS_URL (default redis://127.0.0.1:6379) and shows
                  which worker ran what
  --workers N     workers per pool (default: one per core)
  --repeat N      check the list N times over (default 1): more work, clearer differences
  --progress      show the progress bar on stderr even when it is not a terminal
`,
  fetch: `Usage: x-sample fetch [--workers N] [--timeout MS]

Python's ThreadPoolExecutor example, on AsyncPoolExecutor: loads several URLs at once and prints
each page's size (or its error) as it arrives, with asCompleted(). The URLs point at a small
server started on 127.0.0.1 for the run; nothing leaves the machine.

  --workers N     downloads in flight at once (default: 5, as in Python's example)
  --timeout MS    per-request timeout in milliseconds (default: 1000)
`,
  hash: `Usage: x-sample hash <path>... [--backend thread|process|async|distributed] [--workers N] [--progress]

Prints the SHA-256 of every regular file under each path, in parallel, exactly as
  find <path>... -type f -print0 | LC_ALL=C sort -z | xargs -r0 sha256sum
prints it: '<hex>  <path>', paths starting with the path as given, sorted by their bytes,
symbolic links not followed. Unreadable files are reported on stderr (exit status 1).

  --backend B     thread (default), process, async, or distributed (two local x-workers on Redis)
  --workers N     files hashed at once (default: one per core)
  --progress      show the progress bar on stderr even when it is not a terminal
`,
}

type Command = (argv: string[]) => Promise<number>

function parse(command: string, argv: string[], options: NonNullable<ParseArgsConfig['options']>): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (error) {
    // node:util's messages are clear ("Unknown option '--x'"); add which command and where to look.
    throw new UsageError(`${command}: ${messageOf(error).replace(/\. To specify a positional argument.*$/su, '')}`)
  }
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`${command} takes no arguments (got '${positionals.join(' ')}')`)
  }
}

const COMMANDS: Readonly<Record<string, Command>> = {
  tour: async (argv) => {
    const { values, positionals } = parse('tour', argv, { graph: { type: 'string' } })
    if (values.help === true) return help('tour')
    noPositionals('tour', positionals)
    return tour({ graph: parseChoice(values.graph as string | undefined, GRAPH_FORMATS, '--graph') ?? 'mermaid' }, processOutput)
  },
  primes: async (argv) => {
    const { values, positionals } = parse('primes', argv, {
      backend: { type: 'string' },
      workers: { type: 'string' },
      repeat: { type: 'string' },
      progress: { type: 'boolean' },
    })
    if (values.help === true) return help('primes')
    noPositionals('primes', positionals)
    const backend = parseChoice(values.backend as string | undefined, [...ALL_BACKENDS, 'all'], '--backend') ?? 'all'
    return primes(
      {
        backends: backend === 'all' ? BACKENDS : [backend],
        workers: parseWorkers(values.workers as string | undefined),
        repeat: parseCount(values.repeat as string | undefined, '--repeat') ?? 1,
        progress: progressOptions(values.progress as boolean | undefined),
      },
      processOutput,
    )
  },
  fetch: async (argv) => {
    const { values, positionals } = parse('fetch', argv, { workers: { type: 'string' }, timeout: { type: 'string' } })
    if (values.help === true) return help('fetch')
    noPositionals('fetch', positionals)
    return fetchCommand(
      {
        workers: parseWorkers(values.workers as string | undefined),
        timeout: parseMilliseconds(values.timeout as string | undefined, '--timeout'),
      },
      processOutput,
    )
  },
  hash: async (argv) => {
    const { values, positionals } = parse('hash', argv, {
      backend: { type: 'string' },
      workers: { type: 'string' },
      progress: { type: 'boolean' },
    })
    if (values.help === true) return help('hash')
    if (positionals.length === 0) {
      throw new UsageError("hash needs at least one folder, like 'x-sample hash ./src'")
    }
    return hash(
      {
        paths: positionals,
        backend: parseChoice(values.backend as string | undefined, ALL_BACKENDS, '--backend') ?? 'thread',
        workers: parseWorkers(values.workers as string | undefined),
        progress: progressOptions(values.progress as boolean | undefined),
      },
      processOutput,
    )
  },
}

function help(command?: string): number {
  process.stdout.write(command !== undefined && Object.hasOwn(COMMAND_HELP, command) ? (COMMAND_HELP[command] ?? HELP) : HELP)
  return 0
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined) return COMMANDS.tour?.([]) ?? 1
  if (first === '-h' || first === '--help' || first === 'help') return help(rest[0])
  if (first.startsWith('-')) return COMMANDS.tour?.(argv) ?? 1
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined
  if (command === undefined) {
    throw new UsageError(`unknown command '${first}'; the commands are ${Object.keys(COMMANDS).join(', ')}`)
  }
  return command(rest)
}

/**
 * `pnpm demo` and `pnpm start` run this file from apps/sample; paths on the command line mean
 * the folder pnpm was started from (INIT_CWD: the repository root for `pnpm demo`).
 */
function useCallersDirectory(): void {
  const from = process.env.INIT_CWD
  if (process.env.npm_lifecycle_event === 'start' && from !== undefined && from !== '' && from !== process.cwd()) {
    process.chdir(from)
  }
}

useCallersDirectory()
handleInterrupts()
try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`x-sample: ${error.message}\nTry 'x-sample --help'.\n`)
    process.exitCode = EXIT_USAGE
  } else {
    process.stderr.write(`x-sample: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
}
