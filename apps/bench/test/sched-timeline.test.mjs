import { describe, expect, it } from 'vitest';
import { offCpu, parseSwitches, runIntervals } from '../src/sched-timeline.mjs';

// `perf script -F pid,tid,time,trace` of sched:sched_switch, as perf prints it (times in s).
// Two CPUs; the main thread 100/100, a helper 100/101 of the same process, a child 200/200.
const TEXT = `
   100/100    10.000000: prev_comm=node prev_pid=100 prev_prio=120 prev_state=R+ ==> next_comm=node next_pid=200 next_prio=120
     0/0      10.000000: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=node next_pid=101 next_prio=120
   200/200    10.004000: prev_comm=node prev_pid=200 prev_prio=120 prev_state=S ==> next_comm=node next_pid=100 next_prio=120
   100/101    10.006000: prev_comm=node prev_pid=101 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
   100/100    10.010000: prev_comm=node prev_pid=100 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
     0/0      10.013000: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=node next_pid=100 next_prio=120
  some other line perf printed
   100/100    10.020000: prev_comm=node prev_pid=100 prev_prio=120 prev_state=R ==> next_comm=my worker next_pid=101 next_prio=120
   100/101    10.021000: prev_comm=my worker prev_pid=101 prev_prio=120 prev_state=D ==> next_comm=node next_pid=100 next_prio=120
`;

/** Where the main thread (100) was within [from, to] ns. */
function mainThreadOff(from, to) {
  const switches = parseSwitches(TEXT);
  return offCpu(switches, 100, from, to, runIntervals(switches).ran);
}

describe('sched timeline', () => {
  it('reads the switches, skipping other lines, and keeps comms with spaces', () => {
    const switches = parseSwitches(TEXT);
    expect(switches).toHaveLength(8);
    expect(switches[0]).toEqual({ ns: 10_000_000_000, pid: 100, prev: 100, state: 'R+', next: 200 });
    expect(switches.at(-1)).toEqual({ ns: 10_021_000_000, pid: 100, prev: 101, state: 'D', next: 100 });
  });

  it('finds when each thread ran and which process it belongs to', () => {
    const { ran, processOf } = runIntervals(parseSwitches(TEXT));
    expect(ran.get(200)).toEqual([[10_000_000_000, 10_004_000_000]]);
    expect(ran.get(101)).toEqual([
      [10_000_000_000, 10_006_000_000],
      [10_020_000_000, 10_021_000_000],
    ]);
    expect(processOf.get(101)).toBe(100);
    expect(processOf.get(200)).toBe(200);
  });

  it('splits a thread’s time off the CPU into preempted and asleep, and says who ran while it was preempted', () => {
    const split = mainThreadOff(10_000_000_000, 10_022_000_000);
    // preempted 10.000-10.004 (R+) and 10.020-10.021 (R); asleep 10.010-10.013 (S)
    expect(split.preemptedNs).toBe(5_000_000);
    expect(split.asleepNs).toBe(3_000_000);
    expect(split.onNs).toBe(14_000_000);
    // meanwhile the child ran 4 ms, the helper 4 ms (on the other CPU) and 1 ms
    expect(split.byThread.get(200)).toBe(4_000_000);
    expect(split.byThread.get(101)).toBe(5_000_000);
  });

  it('counts only what falls in the window', () => {
    const split = mainThreadOff(10_002_000_000, 10_011_000_000);
    expect(split.preemptedNs).toBe(2_000_000);
    expect(split.asleepNs).toBe(1_000_000);
    expect(split.byThread.get(200)).toBe(2_000_000);
  });
});
