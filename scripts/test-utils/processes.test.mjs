import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Whether process `pid` still runs. */
function alive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs fixtures/starter.mjs with `args`, waits for the pid it says the test should watch, checks
 * that process lives, SIGKILLs the starter, and returns whether the watched process still lives
 * 10 s later (killing its group all the same if so).
 * @param {string[]} args
 */
async function leftAfterStarterKilled(args) {
  const starter = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/starter.mjs', import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  /** @type {number} */
  const watchedPid = await new Promise((resolve, reject) => {
    starter.stdout.on('data', (/** @type {Buffer} */ d) => {
      output += d.toString();
      const found = /sleeper (\d+)/.exec(output);
      if (found !== null) resolve(Number(found[1]));
    });
    starter.on('exit', (code) => { reject(new Error(`starter exited (${String(code)}): ${output}`)); });
  });
  expect(alive(watchedPid)).toBe(true);
  starter.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(watchedPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = alive(watchedPid);
  if (left) process.kill(watchedPid, 'SIGKILL'); // (the test failed: clean up all the same)
  return left;
}

describe('startProcess', () => {
  it('leaves no process behind when the test process that started it is killed', async () => {
    expect(await leftAfterStarterKilled([])).toBe(false);
  }, 30_000);

  it("leaves no process behind when the started process's own child outlives it (its group is reaped while a member lives)", async () => {
    expect(await leftAfterStarterKilled(['leave-child'])).toBe(false);
  }, 30_000);
});
