"""One measurement of Python's concurrent.futures, for the @x benchmark runner.

    python3 bench_futures.py '{"workload": "W1", "pool": "process", "params": {...}}'

prints one JSON line: {"ok": true, "metrics": {...}, "checksum": N, "extra": {...}} or
{"ok": false, "correctness": bool, "error": "..."}. Workloads mirror src/workloads.mjs (W1-W5);
every result is checked here and the checksum again by the runner.
"""

import json
import statistics
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from pytasks import inc, spin, square  # noqa: E402


class CorrectnessError(Exception):
    pass


def check(ok, message):
    if not ok:
        raise CorrectnessError(message)


def seed_of(k):
    return k * 7919 + 1


def executor(pool, workers):
    return (ThreadPoolExecutor if pool == "thread" else ProcessPoolExecutor)(max_workers=workers)


def check_incs(results, n):
    for i, r in enumerate(results):
        check(r == i + 1, f"task {i} returned {r!r}, expected {i + 1}")
    check(len(results) == n, f"{len(results)} results, expected {n}")
    return sum(results)


def burst(ex, n):
    futures = [ex.submit(inc, i) for i in range(n)]
    return check_incs([f.result() for f in futures], n)


def w1(pool, p):
    with executor(pool, p["workers"]) as ex:
        burst(ex, p["warmup"])
        t0 = time.perf_counter()
        checksum = burst(ex, p["n"])
        s = time.perf_counter() - t0
    return {"tasksPerSec": p["n"] / s}, checksum, {}


def w2(pool, p):
    with executor(pool, 1) as ex:
        for i in range(p["warmup"]):
            check(ex.submit(inc, i).result() == i + 1, f"warm-up task {i} returned a wrong result")
        lat = []
        checksum = 0
        for i in range(p["n"]):
            t0 = time.perf_counter()
            r = ex.submit(inc, i).result()
            lat.append(time.perf_counter() - t0)
            check(r == i + 1, f"task {i} returned {r!r}, expected {i + 1}")
            checksum += r
    lat.sort()
    return {"p50Us": quantile(lat, 0.5) * 1e6, "p99Us": quantile(lat, 0.99) * 1e6}, checksum, {}


def w3(pool, p):
    n = p["pyN"]
    args = [(seed_of(k), n) for k in range(p["tasks"])]
    # as in src/workloads.mjs: in a row = CPU time before the pool exists, best of `reps`
    serial_s = float("inf")
    for _ in range(p["reps"]):
        c0 = time.process_time()
        serial = [spin(a) for a in args]
        serial_s = min(serial_s, time.process_time() - c0)
    with executor(pool, p["workers"]) as ex:
        warm = [(seed_of(k), max(1, n // 20)) for k in range(p["workers"] * 2)]
        for a, r in zip(warm, ex.map(spin, warm)):
            check(r == spin(a), "warm-up spin returned a wrong result")
        pool_s = float("inf")
        for _ in range(p["reps"]):  # wall time on the pool, best of `reps`
            t0 = time.perf_counter()
            futures = [ex.submit(spin, a) for a in args]
            parallel = [f.result() for f in futures]
            pool_s = min(pool_s, time.perf_counter() - t0)
            for k, (r, e) in enumerate(zip(parallel, serial)):
                check(r == e, f"spin task {k} returned {r!r}, expected {e!r}")
    metrics = {"speedup": serial_s / pool_s, "serialMs": serial_s * 1e3, "poolMs": pool_s * 1e3}
    return metrics, sum(parallel), {"n": n}


def w4(pool, p):
    n, chunksize = p["n"], p["chunksize"]
    with executor(pool, p["workers"]) as ex:
        warm = list(range(4 * chunksize))
        check(list(ex.map(square, warm, chunksize=chunksize)) == [i * i for i in warm], "warm-up map returned wrong results")
        items = list(range(n))
        t0 = time.perf_counter()
        out = list(ex.map(square, items, chunksize=chunksize))
        s = time.perf_counter() - t0
    check(len(out) == n, f"map returned {len(out)} results, expected {n}")
    for i, r in enumerate(out):
        check(r == i * i, f"item {i} squared to {r!r}, expected {i * i}")
    return {"itemsPerSec": n / s}, sum(out), {}


def w5(pool, p):
    times = []
    checksum = 0
    for _ in range(p["cycles"]):
        t0 = time.perf_counter()
        ex = executor(pool, p["workers"])
        r = ex.submit(inc, 41).result()
        ex.shutdown(wait=True)
        times.append(time.perf_counter() - t0)
        check(r == 42, f"the task returned {r!r}, expected 42")
        checksum += r
    return {"ms": statistics.median(times) * 1e3}, checksum, {}


def calibrate(p):
    """The spin count that takes about p["ms"] milliseconds of CPU time here (fastest of a few tries)."""
    n0 = 50000
    best = min(cpu_timed(lambda: spin((1, n0))) for _ in range(5))
    return {"n": max(1, round(n0 * (p["ms"] / 1e3) / best))}


def cpu_timed(fn):
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def quantile(sorted_values, q):
    pos = (len(sorted_values) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5}


def main():
    spec = json.loads(sys.argv[1])
    try:
        if spec["workload"] == "calibrate":
            print(json.dumps({"ok": True, **calibrate(spec["params"])}))
            return 0
        metrics, checksum, extra = WORKLOADS[spec["workload"]](spec["pool"], spec["params"])
        print(json.dumps({"ok": True, "metrics": metrics, "checksum": checksum, "extra": extra}))
        return 0
    except Exception as error:  # noqa: BLE001 - reported to the runner, which fails the run
        print(json.dumps({"ok": False, "correctness": isinstance(error, CorrectnessError), "error": f"{type(error).__name__}: {error}\n{traceback.format_exc()}"}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
