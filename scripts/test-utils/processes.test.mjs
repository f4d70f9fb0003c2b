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

describe('startProcess', () => {
  it('leaves no process behind when the test process that started it is killed', async () => {
    const starter = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/starter.mjs', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    /** @type {number} */
    const sleeperPid = await new Promise((resolve, reject) => {
      starter.stdout.on('data', (/** @type {Buffer} */ d) => {
        output += d.toString();
        const found = /sleeper (\d+)/.exec(output);
        if (found !== null) resolve(Number(found[1]));
      });
      starter.on('exit', (code) => { reject(new Error(`starter exited (${String(code)}): ${output}`)); });
    });
    expect(alive(sleeperPid)).toBe(true);
    starter.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(sleeperPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const left = alive(sleeperPid);
    if (left) process.kill(-sleeperPid, 'SIGKILL'); // (the test failed: clean up all the same)
    expect(left).toBe(false);
  }, 30_000);
});
