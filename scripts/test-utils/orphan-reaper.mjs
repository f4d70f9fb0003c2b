// The reaper of the processes a test process starts (processes.mjs). Those run in process groups
// of their own (a kill reaches everything they start), so when the test process itself is killed
// (a run interrupted or timed out before its afterAll hooks ran) nothing would end them: worker
// processes kept serving their queues long after the run. The test process starts this script
// once, detached, with a pipe to its stdin, and writes the pid of every group it starts on a line
// of its own; when that pipe closes (the test process exited, however it ended) the reaper
// SIGKILLs every group it was told of that still has a member, and exits. A line "-pid" says a
// group's leader exited: the group is kept while any member lives (what the leader started
// outlives it), and forgotten once none does (probed then, and every second after), so a later
// process given the same pid is never killed in its place (the kernel gives no new process a pid
// that is still some group's id). Not part of any published package.
/** @type {Set<number>} */
const groups = new Set();
/** Groups whose leader exited but some member lived when last probed. */
/** @type {Set<number>} */
const leaderless = new Set();

/** Whether process group `pgid` has a member (an existing group we may not signal counts too). */
function groupLives(/** @type {number} */ pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** Forgets the leaderless groups that have no member left. */
function forgetEmpty() {
  for (const pgid of leaderless) {
    if (groupLives(pgid)) continue;
    leaderless.delete(pgid);
    groups.delete(pgid);
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (/** @type {string} */ chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid === 0) continue;
    if (pid > 0) {
      groups.add(pid);
      leaderless.delete(pid);
    } else leaderless.add(-pid); // "-pid": that group's leader exited
  }
  forgetEmpty();
});
// (stdin keeps this process alive until the test process exits; the timer does not)
setInterval(forgetEmpty, 1000).unref();
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
