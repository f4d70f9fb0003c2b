// Reading `perf script` output of `sched:sched_switch` events (recorded with `-a -k CLOCK_MONOTONIC`)
// into when each thread ran, and where one thread's time off the CPU went: preempted (it was
// runnable, another thread held the CPU) or asleep (it waited: for I/O, a lock, a timer). Used by
// w4-sched.mjs; pure functions over text, tested in test/sched-timeline.test.mjs.

// `perf script -F pid,tid,time,trace`: "  1234/1235  757.120632: prev_comm=node prev_pid=1235 ..."
const LINE = /^\s*(\d+)\/(\d+)\s+(\d+\.\d+):\s+prev_comm=.*? prev_pid=(\d+) prev_prio=-?\d+ prev_state=(\S+) ==> next_comm=.*? next_pid=(\d+) next_prio=-?\d+\s*$/;

/**
 * The switches of a `perf script -F pid,tid,time,trace` text, in order: the time (ns of
 * CLOCK_MONOTONIC), the thread that left the CPU (`prev`, its process `pid`) and how (`state`:
 * `R` or `R+` preempted, `S` asleep, `D` in uninterruptible wait, ...), and the thread that took it (`next`).
 * Lines that are not switches are skipped.
 * @param {string} text
 * @returns {{ ns: number, pid: number, prev: number, state: string, next: number }[]}
 */
export function parseSwitches(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    // (µs in the text: rounding to whole ns keeps sums exact enough)
    out.push({ ns: Math.round(Number(m[3]) * 1e9), pid: Number(m[1]), prev: Number(m[4]), state: m[5], next: Number(m[6]) });
  }
  return out;
}

/**
 * Per thread: the intervals it ran ([from, to] ns), and the process each thread belongs to
 * (learned from the switches where it left the CPU). A thread already on a CPU when the record
 * began has no interval until its first switch in: the recording starts before the bursts.
 * @param {ReturnType<typeof parseSwitches>} switches
 */
export function runIntervals(switches) {
  /** @type {Map<number, [number, number][]>} */
  const ran = new Map();
  /** @type {Map<number, number>} */
  const processOf = new Map();
  /** @type {Map<number, number>} */
  const since = new Map();
  for (const s of switches) {
    processOf.set(s.prev, s.pid);
    const from = since.get(s.prev);
    if (from !== undefined) {
      since.delete(s.prev);
      const list = ran.get(s.prev) ?? [];
      list.push([from, s.ns]);
      ran.set(s.prev, list);
    }
    if (s.next !== 0) since.set(s.next, s.ns);
  }
  return { ran, processOf };
}

/**
 * Where thread `tid`'s time off the CPU went within [from, to] (ns): `preemptedNs` (it left the CPU
 * runnable), `asleepNs` (it left to wait), `onNs` (the rest of the window), and, for the time it
 * was preempted, how long each other thread ran meanwhile (`byThread`, summed over both CPUs: it
 * can exceed the time preempted). The window's first and last intervals are cut to it; time off
 * the CPU that began before `from` is not counted (the thread's first switch in the window starts it).
 * @param {ReturnType<typeof parseSwitches>} switches
 * @param {number} tid
 * @param {number} from
 * @param {number} to
 * @param {ReturnType<typeof runIntervals>['ran']} ran
 */
export function offCpu(switches, tid, from, to, ran) {
  let preemptedNs = 0;
  let asleepNs = 0;
  /** @type {[number, number][]} */
  const preempted = [];
  let left;
  for (const s of switches) {
    if (s.prev === tid) left = s;
    else if (s.next === tid && left !== undefined) {
      const a = Math.max(left.ns, from);
      const b = Math.min(s.ns, to);
      if (b > a) {
        if (left.state.startsWith('R')) {
          preemptedNs += b - a;
          preempted.push([a, b]);
        } else asleepNs += b - a;
      }
      left = undefined;
    }
  }
  /** @type {Map<number, number>} */
  const byThread = new Map();
  for (const [other, intervals] of ran) {
    if (other === tid) continue;
    let sum = 0;
    for (const [a, b] of intervals) {
      for (const [pa, pb] of preempted) {
        const overlap = Math.min(b, pb) - Math.max(a, pa);
        if (overlap > 0) sum += overlap;
      }
    }
    if (sum > 0) byThread.set(other, sum);
  }
  return { onNs: to - from - preemptedNs - asleepNs, preemptedNs, asleepNs, byThread };
}
