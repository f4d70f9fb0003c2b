/**
 * Where `executor.ts` and `future.ts` leave their class as they load, for code that loaded only
 * `@x/future/runtime` and needs them later (see `executor-classes.ts`). A leaf: it imports neither
 * of them, so neither import makes a cycle.
 *
 * @module
 * @internal
 */

/** The classes registered so far, by name. */
export const registeredClasses: { Executor?: unknown; Future?: unknown } = {}

/** @internal Called by the module that defines the class. */
export function registerClass(name: 'Executor' | 'Future', value: unknown): void {
  registeredClasses[name] ??= value
}
