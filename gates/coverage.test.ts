import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../evals/report/index.js';
import { convertCoverage } from './coverage.js';

const m = (total: number, covered: number) => ({ total, covered, skipped: 0, pct: total ? (covered / total) * 100 : 'Unknown' });

describe('coverage converter', () => {
  it('turns vitest json-summary and test counts into a coverage envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cov-'));
    mkdirSync(join(dir, 'raw'));
    const file = { lines: m(10, 8), branches: m(4, 3), functions: m(0, 0), statements: m(12, 9) };
    writeFileSync(join(dir, 'raw/coverage-summary.json'), JSON.stringify({ total: file, [join(dir, 'src/a.ts')]: file }));
    writeFileSync(join(dir, 'raw/test-results.json'), JSON.stringify({ numPassedTests: 7, numFailedTests: 1, numPendingTests: 2, numTodoTests: 0 }));
    const out = join(dir, 'report.json');
    await convertCoverage({ summary: join(dir, 'raw/coverage-summary.json'), tests: join(dir, 'raw/test-results.json'), out, root: dir });
    const report = await readReport(out, 'coverage');
    expect(report.summary).toMatchObject({ lines: { total: 10, covered: 8, pct: 80 }, functions: { pct: 100 }, tests: { passed: 7, failed: 1, skipped: 2 } });
    expect(report.results).toEqual([expect.objectContaining({ file: 'src/a.ts' })]);
  });
});
