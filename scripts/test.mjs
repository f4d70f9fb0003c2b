#!/usr/bin/env node
// `pnpm test`: every check of the repository, in one command.
//   1. workspace tests (Vitest, scripts/*.test.mjs): the layer rule in package.json,
//      tsconfig references, sources and the ESLint config
//   2. turbo run build test check:package: every package built (tsc -b), its Vitest tests run
//      against the build (JSON report in <package>/test-results/), publint --strict and attw
//   3. consumer tests (Vitest, scripts/consumer/): every published package packed, its tarball
//      checked, installed into a scratch project that runs it from ESM, require(), tsc
//      (nodenext, bundler), tsx and an esbuild bundle
//   4. pnpm docs: the API reference (TypeDoc) into docs/api/; any TypeDoc warning fails it
//   5. tsc -b at the root: the solution, so every test project and script is type-checked
//   6. eslint . (type-aware, the whole repository)
// Every step runs even when an earlier one failed (except what needs a failed build). The last
// line is `N passed, N failed`: Vitest's counts summed over all reports, plus one failure for
// every failed step or task whose failure no test count shows. Exit code 1 on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { closingLine, failedTests, readJson, readReports, reportFolders, repoRoot } from './summary.mjs';

const bin = (/** @type {string} */ name) => path.join(repoRoot, 'node_modules', '.bin', name);
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
// turbo pipes the tasks' output, so they would drop colours even on a terminal.
if (process.stdout.isTTY && env.NO_COLOR === undefined) env.FORCE_COLOR ??= '1';

/**
 * @param {string} title
 * @param {string} command
 * @param {string[]} args
 * @returns {{ ok: boolean, seconds: number }}
 */
function run(title, command, args) {
  console.log(`\n▶ ${title}: ${path.basename(command)} ${args.join(' ')}`);
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
  const seconds = (performance.now() - start) / 1000;
  if (result.error !== undefined) console.error(`${title}: could not start ${command}: ${result.error.message}`);
  return { ok: result.status === 0, seconds };
}

/**
 * The turbo run summaries (.turbo/runs/*.json) written since `before`.
 * @param {Set<string>} before
 * @returns {{ taskId: string, package: string, task: string, exitCode: number | undefined }[]}
 */
function turboTasks(before) {
  const dir = path.join(repoRoot, '.turbo', 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !before.has(f))
    .flatMap((f) => {
      const file = path.join(dir, f);
      const summary =
        /** @type {{ tasks: { taskId: string, package: string, task: string, execution?: { exitCode?: number } }[] }} */ (
          readJson(file)
        );
      rmSync(file); // read once; do not let run summaries pile up
      return summary.tasks.map((t) => ({
        taskId: t.taskId,
        package: t.package,
        task: t.task,
        exitCode: t.execution?.exitCode,
      }));
    });
}

// Old reports would be counted again: remove them. (A turbo cache hit restores its own.)
for (const folder of reportFolders(repoRoot)) {
  rmSync(path.join(repoRoot, folder, 'test-results'), { recursive: true, force: true });
}
const runsDir = path.join(repoRoot, '.turbo', 'runs');
const oldRuns = new Set(existsSync(runsDir) ? readdirSync(runsDir) : []);

// countedByTests: the step's failures already show as failed tests in a Vitest report.
/** @type {{ title: string, ok: boolean, seconds: number, countedByTests: boolean }[]} */
const steps = [];

const workspace = run('workspace tests (layers)', bin('vitest'), [
  'run',
  '--project',
  'workspace',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
steps.push({ title: 'workspace tests', ...workspace, countedByTests: true });

const turbo = run('build, test, check:package', bin('turbo'), [
  'run',
  'build',
  'test',
  'check:package',
  '--continue=dependencies-successful',
  '--summarize',
  '--output-logs=new-only',
  '--log-order=grouped',
  // One task at a time: the pool packages' tests start workers and child processes of their
  // own, and on a 2-core CI machine two suites side by side make timeouts flaky.
  '--concurrency=1',
]);
steps.push({ title: 'turbo run build test check:package', ...turbo, countedByTests: true });
const tasks = turboTasks(oldRuns);

const consumer = run('consumer tests (pack, install, ESM, require, tsc, tsx, esbuild)', bin('vitest'), [
  'run',
  '--project',
  'consumer',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/consumer.json',
]);
steps.push({ title: 'consumer tests', ...consumer, countedByTests: true });

steps.push({
  title: 'API reference (pnpm docs: TypeDoc, warnings are errors)',
  ...run('API reference', process.execPath, [path.join(repoRoot, 'scripts', 'docs.mjs'), '--logLevel', 'Warn']),
  countedByTests: false,
});

steps.push({ title: 'typecheck (tsc -b)', ...run('typecheck', bin('tsc'), ['-b']), countedByTests: false });
steps.push({
  title: 'lint (eslint .)',
  ...run('lint', bin('eslint'), ['.', '--max-warnings=0']),
  countedByTests: false,
});

// ---- the summary -------------------------------------------------------------------------
/**
 * @param {string} name a workspace package name
 * @returns {string} its folder relative to the root
 */
function workspaceDir(name) {
  for (const folder of reportFolders(repoRoot).slice(1)) {
    const manifest = path.join(repoRoot, folder, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = /** @type {{ name?: string }} */ (readJson(manifest));
    if (pkg.name === name) return folder;
  }
  return name;
}

const reports = readReports(repoRoot);
const failedTestsIn = (/** @type {string} */ folder) =>
  reports.filter((r) => r.folder === folder).reduce((n, r) => n + r.failed, 0);
let passed = reports.reduce((n, r) => n + r.passed, 0);
let failed = reports.reduce((n, r) => n + r.failed, 0);
/** @type {string[]} */
const failures = [];
/** @param {string} message */
const countFailure = (message) => {
  failed += 1;
  failures.push(message);
};

// A failed step or task counts as one failure, unless failed tests in its report already count it.
if ((!workspace.ok || !consumer.ok) && failedTestsIn('.') === 0) {
  countFailure('workspace or consumer tests failed without a failed test (see the Vitest output above)');
}
if (!turbo.ok && tasks.length === 0) countFailure('turbo failed before running any task (see above)');
for (const t of tasks) {
  const dir = workspaceDir(t.package);
  if (t.exitCode === undefined) {
    failures.push(`${t.taskId} did not run: a task it depends on failed`);
  } else if (t.exitCode !== 0) {
    if (t.task === 'test' && failedTestsIn(dir) > 0) {
      failures.push(`${t.taskId}: ${String(failedTestsIn(dir))} test(s) failed`);
    } else {
      countFailure(`${t.taskId} failed (exit code ${String(t.exitCode)})`);
    }
  } else if (t.task === 'test' && !reports.some((r) => r.folder === dir)) {
    // A test task that passed without a report would pass uncounted: refuse that.
    countFailure(
      `${t.taskId} wrote no Vitest JSON report to ${dir}/test-results/: use the "test" script of packages/future`,
    );
  }
}
for (const step of steps) {
  if (!step.ok && !step.countedByTests) countFailure(`${step.title} failed (see its output above)`);
}
if (passed === 0) countFailure('no test ran');
if (failed === 0 && steps.some((s) => !s.ok)) countFailure('a step failed (see above)');

console.log('\n── summary ──');
for (const step of steps) {
  console.log(`${step.ok ? 'ok    ' : 'FAILED'}  ${step.title} (${step.seconds.toFixed(1)} s)`);
}
for (const r of reports) {
  const skipped = r.skipped > 0 ? `, ${String(r.skipped)} skipped` : '';
  console.log(`        ${r.file}: ${closingLine(r.passed, r.failed)}${skipped}`);
}
for (const f of failures) console.log(`FAILED  ${f}`);
// The @x/distributed suite needs a Redis; without one (outside CI) it skips, and says so here too.
const notRun = path.join(repoRoot, 'packages', 'distributed', 'test-results', 'NOT-RUN.txt');
if (existsSync(notRun)) {
  console.log(`\n${'!'.repeat(78)}\n${readFileSync(notRun, 'utf8').trimEnd().replace(/^/gmu, '!! ')}\n${'!'.repeat(78)}\n`);
}
const line = closingLine(passed, failed);
// The failed tests by name, above the closing line, in the summary file too: CI prints that file
// last, and may show only the tail of a long output.
const failedByName = failedTests(repoRoot).map((t) => `FAILED TEST  ${t.name}: ${t.message}`);
for (const f of failedByName) console.log(f);
mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
writeFileSync(path.join(repoRoot, 'test-results', 'summary.txt'), `${[...failedByName, line].join('\n')}\n`);
console.log(line);
process.exitCode = failed === 0 ? 0 : 1;
