// Test-only helpers the Redis suites share (packages/distributed/test, packages/concurrent/test's
// x-worker): whether a Redis answers, and worker processes started in their own process group and
// killed, group and all, after the test file. Not part of any published package.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ping } from '../redis.mjs';

/** The Redis the suites run against. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether a Redis answers PING at REDIS_URL within a second.
 * @returns {Promise<boolean>}
 */
export async function redisAnswers() {
  return (await ping()) === undefined;
}

/**
 * @typedef {object} StartedProcess
 * @property {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} child
 * @property {RegExpExecArray} ready  the match of the ready pattern in its stdout
 * @property {() => string} output    its stdout and stderr so far
 * @property {Promise<number | string>} exited  resolves with the exit code or signal
 */

/** @type {Set<import('node:child_process').ChildProcess>} */
const started = new Set();

/** @type {import('node:child_process').ChildProcessByStdio<import('node:stream').Writable, null, null> | undefined} */
let reaper;

/**
 * Tells the reaper (orphan-reaper.mjs, started on first use) about process group `pid`: if this
 * process dies before it kills the group, the reaper does.
 * @param {number} pid
 */
function reapOnExit(pid) {
  if (reaper === undefined) {
    reaper = spawn(process.execPath, [fileURLToPath(new URL('./orphan-reaper.mjs', import.meta.url))], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    // (neither the reaper nor its pipe keeps this process alive)
    reaper.unref();
    /** @type {import('node:net').Socket} */ (/** @type {unknown} */ (reaper.stdin)).unref();
    reaper.stdin.on('error', () => undefined); // a reaper that failed to start: nothing to tell
  }
  reaper.stdin.write(`${String(pid)}\n`);
}

/**
 * Tells the reaper the leader of group `pid` exited: it keeps the group while any member lives
 * (what the leader started may outlive it) and forgets it once none does, so a later process given
 * the same pid is never killed in its place.
 * @param {number} pid
 */
function leaderExited(pid) {
  reaper?.stdin.write(`-${String(pid)}\n`);
}

/**
 * Starts `node script ...args` in its own process group (a kill reaches everything it starts),
 * with REDIS_URL in its environment, and waits until its stdout matches `ready`.
 * @param {string} script  the file node runs
 * @param {readonly string[]} args
 * @param {RegExp} ready   what it prints once it serves
 * @param {string} what    its name in the errors
 * @returns {Promise<StartedProcess>}
 */
export async function startProcess(script, args, ready, what) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL },
    detached: true,
  });
  started.add(child);
  if (child.pid !== undefined) reapOnExit(child.pid);
  let output = '';
  child.stdout.on('data', (/** @type {Buffer} */ d) => (output += d.toString()));
  child.stderr.on('data', (/** @type {Buffer} */ d) => (output += d.toString()));
  /** @type {Promise<number | string>} */
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      started.delete(child);
      if (child.pid !== undefined) leaderExited(child.pid);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  /** @type {RegExpExecArray} */
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${what} did not start within 20 s:\n${output}`)); }, 20_000);
    child.stdout.on('data', () => {
      const found = ready.exec(output);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${String(how)}) before it served:\n${output}`));
    });
  });
  return { child, ready: match, output: () => output, exited };
}

/** SIGKILLs the process group of every process startProcess() started that is still running. */
export function killStarted() {
  for (const child of started) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}
