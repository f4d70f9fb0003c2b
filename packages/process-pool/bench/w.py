import sys, time
from concurrent.futures import ProcessPoolExecutor
def inc(x): return x + 1
def sq(x): return x * x
if __name__ == '__main__':
    which = sys.argv[1]
    with ProcessPoolExecutor(max_workers=2) as ex:
        list(ex.map(inc, range(4)))
        if which == 'w1':
            t0 = time.perf_counter()
            fs = [ex.submit(inc, i) for i in range(20000)]
            s = sum(f.result() for f in fs)
            dt = time.perf_counter() - t0
            assert s == sum(range(1, 20001))
            print(round(20000 / dt))
        else:
            t0 = time.perf_counter()
            r = list(ex.map(sq, range(200000), chunksize=1000))
            dt = time.perf_counter() - t0
            assert r[-1] == 199999 ** 2
            print(round(200000 / dt))
