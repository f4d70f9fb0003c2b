#!/usr/bin/env node
/**
 * `node dist/chaos-cli.js [--backend thread|process|distributed] [--seed N] [--calls N] [--workers N]
 * [--kill-every MS] [--kill-starting SHARE] [--kill-target any|serving] [--shutdown-after N]
 * [--oom WEIGHT] [--exit WEIGHT]`: one chaos run, its figures, and every violation found.
 * Exit code 1 when a promise of the contract was broken. Findings are reproduced with it.
 *
 * @module
 */
import { backends } from './backends.js'
import { runChaos } from './chaos.js'
import { listFlag, numberFlag, parseFlags } from './cli-args.js'
import { summarize } from './summary.js'

const print = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
const flags = parseFlags(process.argv.slice(2))
const seed = numberFlag(flags, 'seed', Date.now() % 1_000_000)
let failed = false
for (const name of listFlag(flags, 'backend', ['thread', 'process'])) {
  const backend = backends[name]
  if (backend === undefined) throw new TypeError(`unknown backend "${name}": use ${Object.keys(backends).join(', ')}`)
  const killEvery = numberFlag(flags, 'kill-every', 0)
  const shutdownAfter = flags.has('shutdown-after') ? numberFlag(flags, 'shutdown-after', 0) : undefined
  const mix = Object.fromEntries(
    ['ok', 'throw', 'exit', 'uncaught', 'oom', 'listen', 'stubborn']
      .filter((action) => flags.has(action))
      .map((action) => [action, numberFlag(flags, action, 0)]),
  )
  const report = await runChaos({
    backend,
    seed,
    calls: numberFlag(flags, 'calls', 2000),
    maxWorkers: numberFlag(flags, 'workers', 2),
    mix,
    ...(killEvery > 0
      ? {
          kill: {
            everyMs: killEvery,
            startingShare: numberFlag(flags, 'kill-starting', 0),
            target: flags.get('kill-target') === 'serving' ? 'serving' : 'any',
          },
        }
      : {}),
    ...(shutdownAfter === undefined ? {} : { shutdownAfter }),
  })
  print(summarize(report))
  for (const violation of report.violations.slice(0, 30)) print(`  ✗ ${violation}`)
  if (report.violations.length > 30) print(`  ... and ${String(report.violations.length - 30)} more`)
  if (report.violations.length > 0) failed = true
}
process.exitCode = failed ? 1 : 0
