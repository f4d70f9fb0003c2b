"""Task functions for bench_futures.py: module-level, so ProcessPoolExecutor can pickle them.

spin() is the same 32-bit recurrence as src/tasks.mjs spin(), bit for bit (the runner checks the
results with the JavaScript version).
"""


def inc(x):
    return x + 1


def square(x):
    return x * x


def spin(args):
    seed, n = args
    h = seed & 0xFFFFFFFF
    for i in range(n):
        h = (((h ^ (h >> 15)) * 0x2C1B3C6D) + i) & 0xFFFFFFFF
    return h - 0x100000000 if h >= 0x80000000 else h
