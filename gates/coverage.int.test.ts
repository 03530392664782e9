import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport, type Report, type ReportKind } from '../evals/report/index.js';
import { convertCoverage } from './coverage.js';
import { decide } from './decide.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { FIXTURE_COMMIT, FIXTURES, evidenceOf, passingReports, tempDir } from './fixtures.test-support.js';

const m = (total: number, covered: number) => ({ total, covered, skipped: 0, pct: total ? (covered / total) * 100 : 'Unknown' });
/** vitest's JSON report of a real run in which one test file could not load (its import is missing): 0 failed tests, 1 failed suite. */
const BROKEN_FILE = join(FIXTURES, 'vitest/broken-file.json');

function rawDir(tests?: unknown): string {
  const dir = tempDir('cov-');
  mkdirSync(join(dir, 'raw'));
  const file = { lines: m(10, 8), branches: m(4, 3), functions: m(0, 0), statements: m(12, 9) };
  writeFileSync(join(dir, 'raw/coverage-summary.json'), JSON.stringify({ total: file, [join(dir, 'src/a.ts')]: file }));
  if (tests !== undefined) writeFileSync(join(dir, 'raw/test-results.json'), typeof tests === 'string' ? tests : JSON.stringify(tests));
  return dir;
}

const convert = (dir: string, tests = join(dir, 'raw/test-results.json')) =>
  convertCoverage({ summary: join(dir, 'raw/coverage-summary.json'), tests, out: join(dir, 'report.json'), root: dir, git: { sha: FIXTURE_COMMIT.sha, dirty: false } });

let pr: LoadedPolicy;
beforeAll(async () => {
  pr = await loadPolicy('pr');
});

describe('coverage converter', () => {
  it('turns vitest json-summary and test counts into a coverage envelope', async () => {
    const dir = rawDir({ numPassedTests: 7, numFailedTests: 1, numPendingTests: 2, numTodoTests: 0, numFailedTestSuites: 1, success: false });
    await convert(dir);
    const report = await readReport(join(dir, 'report.json'), 'coverage');
    expect(report.summary).toMatchObject({ lines: { total: 10, covered: 8, pct: 80 }, functions: { pct: 100 }, tests: { passed: 7, failed: 1, skipped: 2, failedFiles: 0, success: false } });
    expect(report.results).toEqual([expect.objectContaining({ file: 'src/a.ts' })]);
  });

  it('counts a test file that failed to load as a failed file, and a file with failed tests only once', async () => {
    const dir = rawDir();
    const report = await convert(dir, BROKEN_FILE);
    expect(report.summary.tests).toMatchObject({ passed: 1, failed: 0, skipped: 0, failedFiles: 1, success: false });
  });

  it.each([
    ['missing', undefined],
    ['truncated', '{"numPassedTests": 81'],
  ])('a %s test results file is a run that did not pass, never "no outcome"', async (_name, tests) => {
    const dir = rawDir(tests);
    const report = await convert(dir);
    expect(report.summary.tests).toMatchObject({ passed: 0, failed: 0, success: false });
    expect(report.config.testsProblem).toMatch(/test results/);
  });
});

describe('a test file that fails to load blocks the gate', () => {
  it('"Test suite passes" fails naming the file count, and the gate blocks (exit 1)', async () => {
    const reports = passingReports();
    reports.coverage = await convert(rawDir(), BROKEN_FILE);
    reports.coverage.createdAt = reports.eval.createdAt;
    const d = decide(evidenceOf(reports as unknown as Record<ReportKind, Report>), {}, pr, { commit: FIXTURE_COMMIT, now: '2025-06-02T00:00:00Z' });
    expect(d.checks.find((c) => c.id === 'tests-pass'), JSON.stringify(d.evidence)).toMatchObject({ verdict: 'fail', measured: 1, reason: expect.stringContaining('1 test file(s) failed to load') });
    expect(d).toMatchObject({ verdict: 'fail', exitCode: 1, promote: false });
  });
});

describe('.ci/run test count', () => {
  const count = (file: string) => spawnSync(process.execPath, [join(import.meta.dirname, '../.ci/test-count.mjs'), file], { encoding: 'utf8' });

  it('shows a file that fails to load as failed and exits non-zero', () => {
    const r = count(BROKEN_FILE);
    expect(r.stdout.trim()).toBe('1 passed, 1 failed');
    expect(r.status).toBe(1);
  });

  it('exits 0 only when everything passed', () => {
    const dir = tempDir('ci-count-');
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ numPassedTests: 3, numFailedTests: 0, success: true, testResults: [{ status: 'passed', assertionResults: [] }] }));
    expect(count(join(dir, 'ok.json'))).toMatchObject({ status: 0, stdout: '3 passed, 0 failed\n' });
    expect(count(join(dir, 'absent.json'))).toMatchObject({ status: 1, stdout: '0 passed, 1 failed\n' });
  });
});
