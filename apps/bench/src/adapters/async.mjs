// W7: in-thread async concurrency limiters. AsyncPoolExecutor (@x/future) vs p-limit.
export async function make({ impl }) {
  if (impl === 'x-async') {
    const { AsyncPoolExecutor } = await import('@x/future');
    let ex;
    return {
      async open({ concurrency }) {
        ex = new AsyncPoolExecutor({ maxWorkers: concurrency });
      },
      run: (fn, arg) => ex.submit(fn, arg),
      async close() {
        await ex.shutdown();
      },
    };
  }
  const { default: pLimit } = await import('p-limit');
  let limit;
  return {
    async open({ concurrency }) {
      limit = pLimit(concurrency);
    },
    run: (fn, arg) => limit(fn, arg),
    close: () => Promise.resolve(),
  };
}
