// Spawns the built app (dist/cli.js) the way a user runs it, with a deadline: a run that does
// not end in time is killed and reported as a failure, never left hanging.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/** Fails early, with the fix, when the app has not been built. */
export function assertBuilt(): void {
  if (!existsSync(cli)) {
    throw new Error(`${cli} does not exist: build the app first (pnpm --filter @x/sample build)`)
  }
}

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Milliseconds before the run is killed and the test fails. @default 45000 */
  readonly timeout?: number
  readonly cwd?: string
  /** Start the app as the leader of a new process group (signal the group, like a terminal). */
  readonly detached?: boolean
  /** Called with the stderr text so far, each time more arrives (e.g. to send a signal). */
  readonly onStderr?: (text: string, child: ReturnType<typeof spawn>) => void
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  assertBuilt()
  const timeout = options.timeout ?? 45_000
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd,
      detached: options.detached ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      options.onStderr?.(stderr, child)
    })
    const timer = setTimeout(() => {
      if (options.detached === true && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      else child.kill('SIGKILL')
      reject(new Error(`x-sample ${args.join(' ')} did not finish within ${String(timeout)} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))
    }, timeout)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
