import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateLeft, formatEta, readStageTimes, recordStageTime, stageProgress } from './progress.js';

function harness(previousMs?: number) {
  let t = 0;
  const lines: string[] = [];
  const passed: string[] = [];
  const p = stageProgress({ label: 'gate: coverage', previousMs, write: (l) => lines.push(l), passThrough: (s) => passed.push(s), now: () => t, everyMs: 30_000 });
  return { p, lines, passed, advance: (ms: number) => (t += ms) };
}

describe('stage progress', () => {
  it('turns progress lines into a counted status with an estimate, and drops lines of dots', () => {
    const h = harness();
    h.p.output('##progress 0/3026 test files\n········\n');
    h.advance(60_000);
    h.p.output('##progress 812/3026 test files\nserious output\n');
    expect(h.lines).toEqual([expect.stringMatching(/^gate: coverage: test files 812\/3026… 1m00s elapsed, ETA 2m44s$/)]);
    expect(h.passed).toEqual(['serious output\n']);
  });

  it('estimates from the previous run before a tenth is done, and says so', () => {
    const h = harness(400_000);
    h.advance(100_000);
    h.p.output('##progress 10/3026 test files\n');
    h.p.tick();
    expect(h.lines.at(-1)).toMatch(/ETA 5m00s \(from the previous run\)$/);
  });

  it('prints a heartbeat every interval even when the stage prints no counts', () => {
    const h = harness(90_000);
    h.advance(29_000);
    h.p.tick();
    expect(h.lines).toEqual([]);
    h.advance(2000);
    h.p.tick();
    expect(h.lines).toEqual(['gate: coverage: running… 31s elapsed, ETA 59s (from the previous run)']);
  });

  it('can fail: without counts or a previous run there is no estimate, never an invented one', () => {
    expect(estimateLeft(10_000, null, undefined)).toBeNull();
    expect(estimateLeft(10_000, { done: 1, total: 4 }, undefined)).toBe(30_000);
    expect(formatEta(190_000)).toBe('3m10s');
  });

  it('keeps each stage\'s last duration beside the evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-times-'));
    try {
      expect(await readStageTimes(dir)).toEqual({});
      await recordStageTime(dir, 'coverage', 412_000);
      await recordStageTime(dir, 'eval', 19_000);
      expect(await readStageTimes(dir)).toEqual({ coverage: 412_000, eval: 19_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
