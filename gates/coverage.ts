import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { z } from 'zod';
import { writeReport, type CoverageMetric, type CoverageReport, type GitInfo } from '../evals/report/index.js';

const IstanbulMetricSchema = z.object({ total: z.number(), covered: z.number(), pct: z.union([z.number(), z.string()]) });
const IstanbulFileSchema = z.object({ lines: IstanbulMetricSchema, branches: IstanbulMetricSchema, functions: IstanbulMetricSchema, statements: IstanbulMetricSchema });
/** vitest/istanbul `json-summary`: `{total: {...}, "<absolute file>": {...}}`. */
const JsonSummarySchema = z.object({ total: IstanbulFileSchema }).catchall(IstanbulFileSchema);
const VitestJsonSchema = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number().default(0),
  numTodoTests: z.number().default(0),
  // A file that fails to load has no failed test, only a failed suite: without these, it reads as a pass.
  numFailedTestSuites: z.number().default(0),
  numTotalTestSuites: z.number().optional(),
  success: z.boolean().optional(),
  testResults: z.array(z.object({ status: z.string(), assertionResults: z.array(z.object({ status: z.string() })).default([]) })).optional(),
});

/**
 * Test files that failed as a whole (did not load, crashed in a hook): failed, yet no failed test in them. vitest counts
 * a file with a failed test as a failed suite too, so numFailedTestSuites alone would count those twice.
 */
export function failedFiles(t: z.infer<typeof VitestJsonSchema>): number {
  if (!t.testResults) return t.numFailedTests === 0 ? t.numFailedTestSuites : 0;
  return t.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
}

// istanbul writes pct "Unknown" when nothing is measurable; nothing to cover counts as fully covered.
function metric(m: z.infer<typeof IstanbulMetricSchema>): CoverageMetric {
  const pct = m.total ? Math.round((m.covered / m.total) * 10_000) / 100 : 100;
  return { total: m.total, covered: m.covered, pct };
}

const metrics = (f: z.infer<typeof IstanbulFileSchema>) => ({ lines: metric(f.lines), branches: metric(f.branches), functions: metric(f.functions), statements: metric(f.statements) });

/**
 * Converts vitest's json-summary (and its JSON reporter's test counts, when present) into the
 * coverage report envelope.
 *
 * @example
 *   await convertCoverage({ summary: 'reports/coverage/raw/coverage-summary.json', tests: 'reports/coverage/raw/test-results.json', out: 'reports/coverage/report.json' });
 */
export async function convertCoverage(opts: { summary: string; tests?: string; out: string; root?: string; git?: GitInfo }): Promise<CoverageReport> {
  const root = opts.root ?? process.cwd();
  const summary = JsonSummarySchema.parse(JSON.parse(await readFile(opts.summary, 'utf8')));
  let tests: CoverageReport['summary']['tests'];
  let testsProblem: string | undefined;
  if (opts.tests) {
    const text = await readFile(opts.tests, 'utf8').catch(() => undefined);
    let value: unknown;
    try {
      value = text === undefined ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    const parsed = VitestJsonSchema.safeParse(value);
    if (parsed.success) {
      const t = parsed.data;
      tests = {
        passed: t.numPassedTests,
        failed: t.numFailedTests,
        skipped: t.numPendingTests + t.numTodoTests,
        failedFiles: failedFiles(t),
        ...(t.numTotalTestSuites !== undefined ? { files: t.numTotalTestSuites } : {}),
        ...(t.success !== undefined ? { success: t.success } : {}),
      };
    } else {
      // The runner was meant to write its results and did not (crashed, killed, truncated): that run did not pass.
      testsProblem = text === undefined ? `no test results at ${relative(root, opts.tests)}` : `unreadable test results at ${relative(root, opts.tests)}`;
      tests = { passed: 0, failed: 0, skipped: 0, failedFiles: 0, success: false };
    }
  }
  const { total, ...files } = summary;
  const results = Object.entries(files)
    .map(([file, f]) => ({ file: relative(root, file) || file, ...metrics(f) }))
    .sort((a, b) => a.file.localeCompare(b.file));
  const { report } = await writeReport(
    'coverage',
    { config: { source: relative(root, opts.summary), provider: 'v8', ...(testsProblem ? { testsProblem } : {}) }, summary: { ...metrics(total), ...(tests ? { tests } : {}) }, results, ...(opts.git ? { git: opts.git } : {}) },
    opts.out,
  );
  return report;
}
