// Bad inputs that fail today, each a finding in /work/notes/chaos-findings.md. The green fuzz
// tests leave exactly these values out; `pnpm --filter @x/reliability test:known` runs them
// (and nothing else), so each joins `pnpm test` by deleting its line here once fixed.

const isObject = (value: unknown): boolean => (typeof value === 'object' && value !== null) || typeof value === 'function'

/** The finding a constructor option value runs into today, if any. */
export function knownConstructorFinding(backend: string, option: string, value: unknown): string | undefined {
  if (backend === 'ProcessPoolExecutor' && (option === 'idleTimeout' || option === 'maxTasksPerChild') && isObject(value) && typeof value !== 'function')
    return 'F3: an object is refused with "Cannot convert object to primitive value"'
  if (backend === 'ThreadPoolExecutor' && option === 'resourceLimits' && isObject(value))
    return 'F4: resourceLimits is not validated (a throwing getter crashes the process)'
  if (backend === 'ThreadPoolExecutor' && option === 'maxWorkers' && typeof value === 'number' && value >= 2 ** 30)
    return 'F5: a huge maxWorkers fails with "Invalid array length"'
  const native = typeof value === 'function' && Function.prototype.toString.call(value).includes('[native code]')
  if (backend === 'ThreadPoolExecutor' && option === 'initializer' && isObject(value) && (typeof value !== 'function' || native))
    return 'F6: a non-function initializer is refused without naming "initializer"'
  return undefined
}
