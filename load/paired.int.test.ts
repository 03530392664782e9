import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport } from '../evals/report/index.js';
import { runLoad } from './load.js';
import { PROFILES, ProfileSchema } from './profiles.js';

const dir = await mkdtemp(join(tmpdir(), 'lm-paired-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

// Small on purpose: 6 pairs of 1-second blocks at 10 req/s, a quick model; the full-size property is `npm run load:stability`.
const profile = ProfileSchema.parse({ ...PROFILES.smoke, name: 'paired-test', rate: 10, pauseSeconds: 0, latency: { ttftMs: 50, tokensPerSecond: 0 } });
/** The run's worktree, from its report, is gone from disk and from git's list (other runs may have their own meanwhile). */
function worktreeRemoved(config: Record<string, unknown>): boolean {
  const dir = String((config.against as { worktree?: string }).worktree).replace(/ \(removed\)$/, '');
  return dir.includes('lm-against-') && !existsSync(dir) && !execFileSync('git', ['worktree', 'list', '--porcelain'], { encoding: 'utf8' }).includes(dir);
}

describe('load --against HEAD (REF from a worktree beside the candidate, each pair\'s blocks at the same time)', () => {
  it('identical code: not regressed, every pair judged, the worktree removed', async () => {
    const out = join(dir, 'aa.json');
    await runLoad({ profile, against: 'HEAD', pairs: 6, blockSeconds: 1, out });
    const report = await readReport(out, 'load');
    const c = report.summary.comparison!;
    expect(c).toMatchObject({ method: 'paired', verdict: 'same', pairs: 6 });
    expect(c.against).toMatchObject({ ref: 'HEAD', sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(report.results).toHaveLength(6);
    expect(report.summary.errorRate).toBe(0);
    expect(c.cpuRelativeChange).toBeTypeOf('number');
    expect(worktreeRemoved(report.config)).toBe(true);
  }, 150_000);

  it('can fail: the candidate slowed by 30 % (test knob on one side only) is regressed', async () => {
    const out = join(dir, 'slowed.json');
    // 10 pairs, not 6: with 6 the signed-rank test reaches p < 0.05 only when every pair agrees, and one pair flipped
    // by a busy machine turned the verdict to "same". 8 pairs still read "same" once, in a gate whose tests ran beside
    // the security scan and the eval on 2 cores; with 10, two flipped pairs among the smaller differences still give p < 0.05.
    await runLoad({ profile, against: 'HEAD', pairs: 10, blockSeconds: 1, out, slowCandidate: 0.3 });
    const report = await readReport(out, 'load');
    const c = report.summary.comparison!;
    expect(c.verdict, JSON.stringify(c)).toBe('regressed');
    expect(c.maxRelativeChange).toBeGreaterThan(0.15);
    expect(worktreeRemoved(report.config)).toBe(true);
  }, 150_000);

  it('refuses combinations it cannot judge, with a usage code', async () => {
    await expect(runLoad({ profile, against: 'HEAD', url: 'http://127.0.0.1:1', out: join(dir, 'x.json') })).rejects.toMatchObject({ code: 'LOAD_ERR_USAGE' });
    await expect(runLoad({ profile, against: 'no-such-ref-19', out: join(dir, 'x.json') })).rejects.toMatchObject({ code: 'LOAD_ERR_USAGE' });
    await expect(runLoad({ profile, slowCandidate: 0.3, out: join(dir, 'x.json') })).rejects.toMatchObject({ code: 'LOAD_ERR_USAGE' });
  });
});
