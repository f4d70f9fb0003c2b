/**
 * {@link GraphSnapshot}: what `detector.snapshot()` returns, the live wait-for graph at one
 * moment with its renderings.
 *
 * @module
 */
import { formatSnapshot } from './render.js'
import type { EdgeInfo, ExecutorInfo, SnapshotInfo, TaskInfo, WaitInfo } from './types.js'

/**
 * The live wait-for graph at one moment, renderable as text, DOT and Mermaid.
 *
 * @since 0.1.0
 */
export interface GraphSnapshot extends SnapshotInfo {
  /** Like a thread dump: executors and their slots and queues, every open wait with its stack. */
  toString(): string
  /** Graphviz DOT. */
  toDOT(): string
  /** A Mermaid flowchart. */
  toMermaid(): string
  /** The plain data. */
  toJSON(): SnapshotInfo
}

export class Snapshot implements GraphSnapshot {
  readonly executors: readonly ExecutorInfo[]
  readonly tasks: readonly TaskInfo[]
  readonly waits: readonly WaitInfo[]
  readonly edges: readonly EdgeInfo[]
  readonly deadlockedWaits: number

  constructor(info: SnapshotInfo) {
    this.executors = info.executors
    this.tasks = info.tasks
    this.waits = info.waits
    this.edges = info.edges
    this.deadlockedWaits = info.deadlockedWaits
  }

  toString(): string {
    return formatSnapshot(this, 'text')
  }

  toDOT(): string {
    return formatSnapshot(this, 'dot')
  }

  toMermaid(): string {
    return formatSnapshot(this, 'mermaid')
  }

  toJSON(): SnapshotInfo {
    return {
      executors: this.executors,
      tasks: this.tasks,
      waits: this.waits,
      edges: this.edges,
      deadlockedWaits: this.deadlockedWaits,
    }
  }
}
