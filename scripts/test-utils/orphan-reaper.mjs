// The reaper of the processes a test process starts (processes.mjs). Those run in process groups
// of their own (a kill reaches everything they start), so when the test process itself is killed
// (a run interrupted or timed out before its afterAll hooks ran) nothing would end them: worker
// processes kept serving their queues long after the run. The test process starts this script
// once, detached, with a pipe to its stdin, and writes the pid of every group it starts on a line
// of its own; when that pipe closes (the test process exited, however it ended) the reaper
// SIGKILLs every group it was told of and exits. A line "-pid" says a group's leader exited (it
// was killed with its group, or ended): that group is forgotten, so a later process given the same
// pid is never killed in its place. Not part of any published package.
/** @type {Set<number>} */
const groups = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (/** @type {string} */ chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid === 0) continue;
    if (pid > 0) groups.add(pid);
    else groups.delete(-pid); // "-pid": that group is gone (its leader exited)
  }
});
process.stdin.on('close', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
});
