#!/usr/bin/env node
// Sums the Vitest JSON reports of the whole repository into the plain closing line
// `N passed, N failed`. Reports live in test-results/*.json of the root and of every
// workspace package (each package's `test` script writes test-results/vitest.json).
// Usage: node scripts/summary.mjs   (prints one line per report, then the total line)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fields of a Vitest JSON report this script reads.
 * @typedef {object} VitestReport
 * @property {number} numPassedTests
 * @property {number} numFailedTests
 * @property {number} [numPendingTests]
 * @property {number} [numTodoTests]
 * @property {number} [numFailedTestSuites]
 * @property {boolean} [success]
 */

/**
 * @typedef {object} ReportCount
 * @property {string} file        the report, relative to the root
 * @property {string} folder      the workspace folder it belongs to ('.' for the root)
 * @property {number} passed
 * @property {number} failed
 * @property {number} skipped
 * @property {number} failedSuites test files that failed to run at all (they count no test)
 * @property {boolean} success    what Vitest itself concluded
 */

/**
 * @param {string} file
 * @returns {unknown} the parsed JSON: the caller states what it expects
 */
export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} root the repository root
 * @returns {string[]} the folders (relative) that may hold a test-results/ folder
 */
export function reportFolders(root) {
  return [
    '.',
    ...['packages', 'apps'].flatMap((base) =>
      existsSync(path.join(root, base))
        ? readdirSync(path.join(root, base), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => `${base}/${e.name}`)
        : [],
    ),
  ];
}

/**
 * The JSON files in the test-results/ folders below the root.
 * @param {string} root the repository root
 * @returns {{ folder: string, file: string, relative: string }[]} folder and file relative to the root, file absolute
 */
function reportFiles(root) {
  return reportFolders(root).flatMap((folder) => {
    const dir = path.join(root, folder, 'test-results');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => {
        const file = path.join(dir, name);
        return { folder, file, relative: path.relative(root, file).split(path.sep).join('/') };
      });
  });
}

/**
 * Reads every Vitest JSON report below the root.
 * @param {string} root the repository root
 * @returns {ReportCount[]}
 */
export function readReports(root) {
  return reportFiles(root).map(({ folder, file, relative }) => {
    const report = /** @type {VitestReport} */ (readJson(file));
    if (typeof report.numPassedTests !== 'number' || typeof report.numFailedTests !== 'number') {
      throw new Error(`${file} is not a Vitest JSON report (no numPassedTests/numFailedTests)`);
    }
    return {
      file: relative,
      folder,
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      failedSuites: report.numFailedTestSuites ?? 0,
      success: report.success ?? report.numFailedTests === 0,
    };
  });
}

/**
 * @typedef {object} FailedTest
 * @property {string} report  the report it is in, relative to the root
 * @property {string} name    the test file (relative to its package) and the test's full name
 * @property {string} message the first line of its first failure message
 */

/**
 * Every failed test (and every test file that failed to run) in the Vitest JSON reports below
 * the root, so the closing lines can name them: CI may show only the tail of the output.
 * @param {string} root the repository root
 * @returns {FailedTest[]}
 */
export function failedTests(root) {
  const firstLine = (/** @type {string | undefined} */ text) => (text ?? '').trim().split('\n')[0]?.slice(0, 300) ?? '';
  return reportFiles(root).flatMap(({ folder, file, relative }) => {
    const report =
      /** @type {{ testResults?: { name?: string, status?: string, message?: string, assertionResults?: { fullName?: string, status?: string, failureMessages?: string[] }[] }[] }} */ (
        readJson(file)
      );
    return (report.testResults ?? []).flatMap((suite) => {
      const testFile = path.relative(path.join(root, folder), suite.name ?? '').split(path.sep).join('/');
      const failedAssertions = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
      if (failedAssertions.length === 0 && suite.status === 'failed') {
        return [{ report: relative, name: `${testFile} (the file failed to run)`, message: firstLine(suite.message) }];
      }
      return failedAssertions.map((a) => ({
        report: relative,
        name: `${testFile} > ${a.fullName ?? '?'}`,
        message: firstLine(a.failureMessages?.[0]),
      }));
    });
  });
}

/**
 * The plain closing line CI reads.
 * @param {number} passed
 * @param {number} failed
 * @returns {string}
 */
export function closingLine(passed, failed) {
  return `${String(passed)} passed, ${String(failed)} failed`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reports = readReports(repoRoot);
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    passed += r.passed;
    failed += r.failed;
    console.log(`${r.file}: ${closingLine(r.passed, r.failed)}`);
  }
  console.log(closingLine(passed, failed));
  if (failed > 0 || reports.length === 0) process.exitCode = 1;
}
