/**
 * The two deadlocks of Python's documentation, caught by `detectDeadlocks` (@x/diagnostics).
 * Not available until @x/diagnostics is part of @x/concurrent.
 */
import type { Section } from './tour.js'

export const GRAPH_FORMATS = ['mermaid', 'dot'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

export function deadlockSections(_graph: GraphFormat): Section[] {
  const missing = (): Promise<void> =>
    Promise.reject(new Error('needs detectDeadlocks from @x/diagnostics, which is not part of @x/concurrent yet'))
  return [
    { title: "Deadlock: two tasks waiting on each other's futures", run: missing },
    { title: 'Deadlock: maxWorkers 1, and a task that submits a subtask and waits for it', run: missing },
  ]
}
