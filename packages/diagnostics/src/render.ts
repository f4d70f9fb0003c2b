/**
 * Renders a {@link DeadlockReport} or a {@link SnapshotInfo} as text (like a thread dump), as
 * Graphviz DOT or as a Mermaid flowchart.
 *
 * @module
 */
import type { DeadlockReport, EdgeInfo, ExecutorInfo, GraphInfo, SnapshotInfo, TaskInfo, WaitInfo } from './types.js'

/**
 * The formats {@link formatReport} and {@link formatSnapshot} write.
 *
 * @since 0.1.0
 */
export type GraphFormat = 'text' | 'dot' | 'mermaid' | 'json'

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => prefix + line.trim())
    .join('\n')

function name(task: { id: number; name: string | null }): string {
  return task.name === null ? `Task #${String(task.id)}` : `Task #${String(task.id)} ${JSON.stringify(task.name)}`
}

function waiterName(graph: GraphInfo, wait: WaitInfo): string {
  if (wait.taskId === null) return `outside any task (wait #${String(wait.id)})`
  const task = graph.tasks.find((candidate) => candidate.id === wait.taskId)
  if (wait.orphaned) return `leftover wait #${String(wait.id)} of finished Task #${String(wait.taskId)}`
  return task === undefined ? `Task #${String(wait.taskId)}` : name(task)
}

function slotTable(executor: ExecutorInfo): string[] {
  const blocked = executor.slots.filter((slot) => slot.blocked).length
  const lent = executor.lent > 0 ? ` + ${String(executor.lent)} lent` : ''
  const state = executor.shutdown ? ', shut down' : ''
  const lines = [
    `${executor.name} (${executor.kind}): maxWorkers ${String(executor.maxWorkers)}${lent}, running ${String(executor.slots.length)} (blocked ${String(blocked)}), queued ${String(executor.queuedCount)}${state}`,
  ]
  for (const slot of executor.slots) {
    const worker = slot.workerId === null ? 'worker ?' : `worker ${String(slot.workerId)}`
    lines.push(`  ${worker}: ${name({ id: slot.taskId, name: slot.taskName })}${slot.blocked ? ' (blocked)' : ''}`)
  }
  if (executor.queued.length > 0) {
    const more = executor.queuedCount > executor.queued.length ? `, ... (${String(executor.queuedCount)} in all)` : ''
    lines.push(`  queued: ${executor.queued.map((id) => `#${String(id)}`).join(', ')}${more}`)
  }
  return lines
}

const NO_FRAMES =
  '(no frames outside @x/future: `await future` runs in a microtask; `await future.result()` shows the caller)'

function waitStacks(graph: GraphInfo, waits: readonly WaitInfo[]): string[] {
  const lines: string[] = []
  for (const wait of waits) {
    const mode = wait.futureIds.length > 1 ? ` (${wait.mode} of ${wait.futureIds.map((id) => `#${String(id)}`).join(', ')})` : ''
    lines.push(`${waiterName(graph, wait)} waiting${mode} at:`)
    lines.push(wait.stack.trim() === '' ? `    ${NO_FRAMES}` : indent(wait.stack, '    '))
  }
  return lines
}

/** The report as text: the chain (like PostgreSQL's DETAIL), stacks (like jstack), slots, hint. */
export function reportToText(report: DeadlockReport): string {
  const lines = [`deadlock detected: ${report.summary}`]
  for (const line of report.chain) lines.push(`  ${line}`)
  lines.push('')
  const victim = report.waits.find((wait) => wait.victim)
  const who = victim === undefined ? `wait #${String(report.victimWaitId)}` : `${waiterName(report, victim)} (wait #${String(victim.id)})`
  if (report.kind === 'shutdown-from-task') lines.push('Resolution: the executor rejects that shutdown() call (cannot join current thread).')
  else if (report.action === 'throw') lines.push(`Resolution: DeadlockError raised in the wait of ${who}, the wait that closed the deadlock.`)
  else if (report.action === 'compensate') lines.push(`Resolution: lent one extra worker to the starved pool until the wait of ${who} ends.`)
  else if (report.action === 'warn') lines.push(`Resolution: none (onDeadlock: 'warn'); the wait of ${who} closed the deadlock.`)
  else lines.push(`Resolution: left to the onDeadlock callback; the wait of ${who} closed the deadlock.`)
  if (report.note !== null) lines.push(`Note: ${report.note}`)
  lines.push('')
  const ordered = [...report.waits].sort((a, b) => Number(b.victim) - Number(a.victim) || b.id - a.id)
  if (ordered.length > 0) lines.push(...waitStacks(report, ordered), '')
  for (const executor of report.executors) lines.push(...slotTable(executor))
  lines.push('')
  lines.push(`Hint: ${report.hint}`)
  return lines.join('\n')
}

/** The live graph as text, like a thread dump: executors, their slots and queues, every open wait. */
export function snapshotToText(snapshot: SnapshotInfo): string {
  const running = snapshot.tasks.filter((task) => task.state === 'running').length
  const lines = [
    `wait-for graph: ${String(snapshot.executors.length)} executors, ${String(snapshot.tasks.length)} tasks (${String(running)} running, ${String(snapshot.tasks.length - running)} queued), ${String(snapshot.waits.length)} open waits, ${String(snapshot.deadlockedWaits)} deadlocked`,
  ]
  for (const executor of snapshot.executors) lines.push(...slotTable(executor))
  if (snapshot.waits.length > 0) lines.push('open waits:')
  for (const wait of snapshot.waits) {
    const futures = wait.futureIds.map((id) => `#${String(id)}`).join(', ')
    const timeout = wait.timeout === null ? '' : `, timeout ${String(wait.timeout)} ms`
    const stuck = wait.role === 'other' ? '' : ` [DEADLOCKED: ${wait.role}]`
    lines.push(`  wait #${String(wait.id)}: ${waiterName(snapshot, wait)} waits for ${wait.mode} of ${futures}${timeout}${stuck}`)
    if (wait.stack.trim() !== '') lines.push(indent(wait.stack, '      '))
  }
  return lines.join('\n')
}

function taskCaption(graph: GraphInfo, task: TaskInfo): string[] {
  const executor = graph.executors.find((candidate) => candidate.id === task.executorId)
  const at = executor?.name ?? `executor #${String(task.executorId)}`
  const state = task.state === 'running' ? `${at}, worker ${String(task.workerId ?? '?')}` : `queued in ${at}`
  return [name(task), state]
}

function nodeCaptions(graph: GraphInfo): Map<string, { lines: string[]; shape: 'task' | 'pool' | 'outside'; role: string }> {
  const nodes = new Map<string, { lines: string[]; shape: 'task' | 'pool' | 'outside'; role: string }>()
  for (const task of graph.tasks) nodes.set(task.node, { lines: taskCaption(graph, task), shape: 'task', role: task.role })
  for (const executor of graph.executors) {
    const slots = `slots ${String(executor.slots.length)}/${String(executor.maxWorkers + executor.lent)}`
    nodes.set(executor.node, { lines: [executor.name, slots], shape: 'pool', role: executor.role })
  }
  for (const wait of graph.waits) {
    if (nodes.has(wait.node)) continue
    nodes.set(wait.node, { lines: [waiterName(graph, wait)], shape: 'outside', role: wait.role })
  }
  // Edges may point at tasks the graph does not list (e.g. a slot holder): declare them too.
  for (const edge of graph.edges) {
    for (const id of [edge.from, edge.to]) {
      if (!nodes.has(id)) nodes.set(id, { lines: [id.startsWith('T') ? `Task #${id.slice(1)}` : id], shape: 'task', role: 'other' })
    }
  }
  return nodes
}

function edgeLabel(edge: EdgeInfo): string {
  return edge.waitId === null ? edge.label : `${edge.label} (wait #${String(edge.waitId)})`
}

const dotString = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`

/** Graphviz DOT. Core nodes and edges are red, tails orange, the rest black. */
export function toDot(graph: GraphInfo, title = 'wait_for'): string {
  const color = (role: string): string => (role === 'core' ? 'red' : role === 'tail' ? 'orange' : 'black')
  const lines = [`digraph ${title} {`, '  rankdir=LR;', '  node [fontname="monospace"];']
  for (const [id, node] of nodeCaptions(graph)) {
    const shape = node.shape === 'pool' ? 'box3d' : 'box'
    const style = node.shape === 'outside' ? ', style=dashed' : ''
    lines.push(`  ${id} [shape=${shape}${style}, color=${color(node.role)}, label=${dotString(node.lines.join('\n'))}];`)
  }
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} -> ${edge.to} [label=${dotString(edgeLabel(edge))}, color=${color(edge.role)}];`)
  }
  lines.push('}')
  return lines.join('\n')
}

const mermaidText = (text: string): string =>
  text.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')

/** A Mermaid flowchart (renders on GitHub). Core nodes get the `core` class, tails `tail`. */
export function toMermaid(graph: GraphInfo): string {
  const lines = ['flowchart LR']
  const byRole = new Map<string, string[]>()
  for (const [id, node] of nodeCaptions(graph)) {
    const text = `"${node.lines.map(mermaidText).join('<br/>')}"`
    const shaped = node.shape === 'pool' ? `[[${text}]]` : node.shape === 'outside' ? `([${text}])` : `[${text}]`
    lines.push(`  ${id}${shaped}`)
    if (node.role !== 'other') byRole.set(node.role, [...(byRole.get(node.role) ?? []), id])
  }
  for (const edge of graph.edges) lines.push(`  ${edge.from} -->|"${mermaidText(edgeLabel(edge))}"| ${edge.to}`)
  lines.push('  classDef core stroke:#d00,stroke-width:2px')
  lines.push('  classDef tail stroke:#e80,stroke-dasharray:4')
  for (const [role, ids] of byRole) lines.push(`  class ${ids.join(',')} ${role}`)
  return lines.join('\n')
}

/**
 * Renders a deadlock report.
 *
 * @example
 * ```ts
 * try { await outer } catch (error) {
 *   if (isDeadlockError(error)) console.log(formatReport(error.report, 'mermaid'))
 * }
 * ```
 *
 * @throws RangeError when `format` is not one of {@link GraphFormat}.
 * @since 0.1.0
 */
export function formatReport(report: DeadlockReport, format: GraphFormat = 'text'): string {
  switch (format) {
    case 'text':
      return reportToText(report)
    case 'dot':
      return toDot(report, 'deadlock')
    case 'mermaid':
      return toMermaid(report)
    case 'json':
      return JSON.stringify(report, null, 2)
  }
  throw badFormat(format)
}

/**
 * Renders a snapshot of the live graph (see `detector.snapshot()`).
 *
 * @throws RangeError when `format` is not one of {@link GraphFormat}.
 * @since 0.1.0
 */
export function formatSnapshot(snapshot: SnapshotInfo, format: GraphFormat = 'text'): string {
  switch (format) {
    case 'text':
      return snapshotToText(snapshot)
    case 'dot':
      return toDot(snapshot)
    case 'mermaid':
      return toMermaid(snapshot)
    case 'json':
      return JSON.stringify(snapshot, null, 2)
  }
  throw badFormat(format)
}

function badFormat(format: unknown): RangeError {
  return new RangeError(`format must be 'text', 'dot', 'mermaid' or 'json', got ${typeof format === 'string' ? JSON.stringify(format) : typeof format}`)
}
