import type { CoverageReport, CoverageSummary } from './envelope.js';

export interface TestOutcome {
  /** Failed tests plus test files that failed as a whole (did not load, crashed): what "the suite passes" is about. */
  failed: number;
  failedTests: number;
  failedFiles: number;
  executed: number;
  /** Why the run cannot count as passing whatever the counts say: the runner said it failed, or ran nothing. */
  problems: string[];
}

/**
 * What the test run that measured coverage says: failed tests and failed files (a file that cannot load has no failed
 * test, only a failed suite), and whether anything ran at all. Undefined when the report carries no test outcome.
 *
 * @example
 *   testOutcome(report.summary); // { failed: 1, failedTests: 0, failedFiles: 1, executed: 812, problems: ['the runner reported success: false'] }
 */
export function testOutcome(summary: CoverageSummary): TestOutcome | undefined {
  const t = summary.tests;
  if (!t) return undefined;
  const failedFiles = t.failedFiles ?? 0;
  const executed = t.passed + t.failed;
  const problems: string[] = [];
  if (t.success === false) problems.push('the runner reported success: false');
  if (failedFiles > 0) problems.push(`${failedFiles} test file(s) failed to load or crashed`);
  if (executed === 0) problems.push('no test was executed');
  return { failed: t.failed + failedFiles, failedTests: t.failed, failedFiles, executed, problems };
}

/** Why a coverage report cannot stand as evidence, or nothing: covered counts beyond totals. */
export function coverageIntegrity(report: Pick<CoverageReport, 'summary'>): string[] {
  const { lines, branches, functions, statements } = report.summary;
  return Object.entries({ lines, branches, functions, statements }).flatMap(([name, m]) => (m.covered > m.total ? [`${name}: ${m.covered} covered of ${m.total}`] : []));
}
