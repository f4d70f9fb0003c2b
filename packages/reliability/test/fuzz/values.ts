// Bad values for fuzzing: wrong types, NaN, negatives, huge numbers, objects with throwing
// getters, Proxies (transparent and throwing), symbols, and fast-check's `anything()`. A value
// that throws by itself (a getter, a Proxy trap) throws a Poison, so the checks can tell "the
// library passed the value's own error on" from "the library failed".
import { fc } from '@fast-check/vitest'
import { expect } from 'vitest'

/** The error every poisoned value throws when touched. */
export class Poison extends Error {
  override name = 'Poison'
}

const poisonedGetter = (): object =>
  Object.defineProperty({}, 'value', {
    enumerable: true,
    get() {
      throw new Poison('getter')
    },
  })

const throwingProxy = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Poison('proxy get')
      },
      ownKeys() {
        throw new Poison('proxy ownKeys')
      },
      getPrototypeOf() {
        throw new Poison('proxy getPrototypeOf')
      },
      has() {
        throw new Poison('proxy has')
      },
    },
  )

class Instance {
  readonly field = 1
  method(): number {
    return this.field
  }
}

/**
 * A value built only when the property runs: fast-check itself looks into generated values
 * (clone checks, counterexample printing), which a poisoned value would not survive.
 */
export class Lazy {
  constructor(
    readonly make: () => unknown,
    readonly label: string,
  ) {}
  toString(): string {
    return this.label
  }
}

/** The value itself, building it when it is a {@link Lazy}. */
export function unwrap(value: unknown): unknown {
  return value instanceof Lazy ? value.make() : value
}

/** Hand-picked troublemakers, then anything at all. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(
    Number.NaN, -1, 0, -0, 0.5, 1.5, Infinity, -Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e-9, 2 ** 31,
    '', '2', 'abc', ' ', true, false, null, [], [1], {}, 10n, -3n, new Date(Number.NaN), /x/, new Map(), new Set(),
    Object.create(null), new Instance(), Symbol('s'), Symbol.iterator, () => 1, async () => Promise.resolve(1), function* gen() { yield 1 },
    Math.max, new WeakMap(), new ArrayBuffer(8), new Uint8Array(2), new Error('e'), Promise.resolve(1),
  ) },
  { weight: 1, arbitrary: fc.constant(new Lazy(poisonedGetter, 'an object whose getter throws')) },
  { weight: 1, arbitrary: fc.constant(new Lazy(throwingProxy, 'a Proxy whose traps throw')) },
  { weight: 1, arbitrary: fc.constant(new Lazy(() => new Proxy({ a: 1 }, {}), 'a transparent Proxy')) },
  { weight: 1, arbitrary: fc.constant(new Lazy(() => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  }, 'a revoked Proxy')) },
  { weight: 2, arbitrary: fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }) },
)

/** A one-line description of any value, safe for symbols, proxies and throwing getters. */
export function show(value: unknown): string {
  if (value instanceof Lazy) return value.label
  try {
    if (typeof value === 'symbol') return value.toString()
    if (typeof value === 'bigint') return `${String(value)}n`
    if (typeof value === 'function') return `function ${value.name}`
    if (typeof value !== 'object' || value === null) return String(value)
    return `${Object.prototype.toString.call(value)} ${(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${String(v)}n` : v)) as string | undefined ?? '').slice(0, 80)}`
  } catch {
    return '<a value that throws when looked at>'
  }
}

/**
 * Checks a refusal: the value's own Poison passed on, or a TypeError/RangeError (or an error
 * with a string `code`) whose message names one of `names` (the option in camelCase or
 * Python's snake_case, or "argument").
 */
export function expectNamedRefusal(error: unknown, names: readonly string[], what: string): void {
  if (error instanceof Poison) return
  // A revoked Proxy throws V8's own TypeError on any touch: passing that on is right too.
  if (error instanceof TypeError && error.message.includes('on a proxy that has been revoked')) return
  const typed =
    error instanceof TypeError ||
    error instanceof RangeError ||
    (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
  expect(typed, `${what}: refused with an untyped error: ${String(error)}`).toBe(true)
  const message = (error as Error).message
  expect(
    names.some((n) => message.includes(n)),
    `${what}: the error does not name ${names.join(' / ')}: ${message}`,
  ).toBe(true)
}

/** Runs `fn`; returns its error, or undefined when it did not throw synchronously. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
    return undefined
  } catch (error) {
    return error ?? new Error(`threw ${String(error)}`)
  }
}
