// The closing line `N passed, N failed` is what CI reads: these tests pin how it is counted.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchTrees } from './scratch-tree.mjs';
import { closingLine, failedTests, readReports } from './summary.mjs';

/** The root of a scratch repository holding reports: relative path of each report → its JSON content. */
const repoWith = scratchTrees('x-summary-');

describe('readReports', () => {
  it('reads the root report and every package and app report, and nothing else', () => {
    const root = repoWith({
      'test-results/vitest.json': { numPassedTests: 19, numFailedTests: 0, success: true },
      'packages/future/test-results/vitest.json': {
        numPassedTests: 120,
        numFailedTests: 2,
        numPendingTests: 1,
        numTodoTests: 1,
        numFailedTestSuites: 1,
        success: false,
      },
      'apps/sample/test-results/vitest.json': { numPassedTests: 5, numFailedTests: 0 },
      'packages/future/coverage/vitest.json': { numPassedTests: 1000, numFailedTests: 1000 },
      'packages/future/test-results/summary.txt': 'not json',
    });
    const reports = readReports(root).sort((a, b) => a.file.localeCompare(b.file));
    expect(reports).toEqual([
      { file: 'apps/sample/test-results/vitest.json', folder: 'apps/sample', passed: 5, failed: 0, skipped: 0, failedSuites: 0, success: true },
      { file: 'packages/future/test-results/vitest.json', folder: 'packages/future', passed: 120, failed: 2, skipped: 2, failedSuites: 1, success: false },
      { file: 'test-results/vitest.json', folder: '.', passed: 19, failed: 0, skipped: 0, failedSuites: 0, success: true },
    ]);
  });

  it('refuses a JSON file in test-results/ that is not a Vitest report', () => {
    const root = repoWith({ 'packages/future/test-results/other.json': { tests: 3 } });
    expect(() => readReports(root)).toThrow(/other\.json is not a Vitest JSON report/u);
  });
});

describe('closingLine', () => {
  it('is the plain line CI reads', () => {
    expect(closingLine(144, 2)).toBe('144 passed, 2 failed');
    expect(closingLine(0, 0)).toMatch(/^\d+ passed, \d+ failed$/u);
  });
});

describe('failedTests', () => {
  it('names each failed test and each file that failed to run, with the first line of its message', () => {
    const root = repoWith({
      'packages/concurrent/test-results/vitest.json': {
        numPassedTests: 1,
        numFailedTests: 1,
        testResults: [
          {
            name: 'PLACEHOLDER/packages/concurrent/test/examples.test.ts',
            status: 'failed',
            assertionResults: [
              { fullName: 'tour submit', status: 'passed', failureMessages: [] },
              { fullName: 'tour as-completed', status: 'failed', failureMessages: ['AssertionError: expected [ …(3) ] to deeply equal\n  at stack'] },
            ],
          },
          { name: 'PLACEHOLDER/packages/concurrent/test/broken.test.ts', status: 'failed', message: 'SyntaxError: bad\nmore', assertionResults: [] },
        ],
      },
      'test-results/vitest.json': { numPassedTests: 3, numFailedTests: 0, testResults: [{ name: 'PLACEHOLDER/scripts/a.test.mjs', status: 'passed', assertionResults: [] }] },
    });
    // the reports hold absolute paths: put the scratch root where the placeholder is
    for (const report of ['packages/concurrent/test-results/vitest.json', 'test-results/vitest.json']) {
      const file = path.join(root, report);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('PLACEHOLDER', root));
    }
    expect(failedTests(root)).toEqual([
      {
        report: 'packages/concurrent/test-results/vitest.json',
        name: 'test/examples.test.ts > tour as-completed',
        message: 'AssertionError: expected [ …(3) ] to deeply equal',
      },
      { report: 'packages/concurrent/test-results/vitest.json', name: 'test/broken.test.ts (the file failed to run)', message: 'SyntaxError: bad' },
    ]);
  });
});
