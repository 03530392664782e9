import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport } from '../evals/report/index.js';
import { runLoad } from './load.js';
import { PROFILES, ProfileSchema } from './profiles.js';

const dir = await mkdtemp(join(tmpdir(), 'lm-load-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runLoad on a tiny profile', () => {
  it('writes a valid load report, and a baseline only when asked', async () => {
    const profile = ProfileSchema.parse({ ...PROFILES.smoke, name: 'tiny', rate: 4, durationSeconds: 1.5, runs: 2, pauseSeconds: 0, latency: { ttftMs: 20, tokensPerSecond: 0 } });
    const out = join(dir, 'report.json');
    const first = await runLoad({ profile, out, baselineDir: dir });
    expect(first.report.summary.comparison?.verdict).toBe('inconclusive');
    await expect(readFile(join(dir, 'tiny.json'), 'utf8')).rejects.toThrow();

    const report = await readReport(out, 'load');
    expect(report.results).toHaveLength(2);
    expect(report.summary.errorRate).toBe(0);
    expect(report.summary.rps).toBeGreaterThan(0);
    expect(report.results[0]!.p97_5Ms).toBeGreaterThan(0);
    expect(report.results[0]!.rssBytesMax).toBeGreaterThan(0);
    expect(report.summary.efficiency).toBeGreaterThan(0);
    expect(report.results[0]!.sentRate).toBeCloseTo(4, 0);

    await runLoad({ profile, out, baselineDir: dir, updateBaseline: true });
    const baseline = JSON.parse(await readFile(join(dir, 'tiny.json'), 'utf8')) as { runs: unknown[] };
    expect(baseline.runs).toHaveLength(2);
  }, 60_000);
});
