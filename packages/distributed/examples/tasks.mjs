// The task module of the README's examples (the workers import it from their root).
import { createHash } from 'node:crypto'
import { currentTask } from '@x/future'

/** Hashes each name, reporting `{ done, of }` after each. */
export function hashAll(names) {
  const digests = []
  for (const [i, name] of names.entries()) {
    digests.push(createHash('sha256').update(name).digest('hex'))
    currentTask()?.progress?.({ done: i + 1, of: names.length })
  }
  return `${String(digests.length)} hashed`
}

/** Yields the lines of `text`, numbered, and says when it is closed. */
export function* numberedLines(text) {
  try {
    for (const [i, line] of text.split('\n').entries()) yield `${String(i + 1)}: ${line}`
  } finally {
    console.log('generator closed') // on the worker: a break aborted the task and closed it
  }
}
