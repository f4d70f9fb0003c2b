// The closing line `N passed, N failed` is what CI reads: these tests pin how it is counted.
import { describe, expect, it } from 'vitest';
import { scratchTrees } from './scratch-tree.mjs';
import { closingLine, readReports } from './summary.mjs';

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
