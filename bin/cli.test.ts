import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseEval, writeReport, type EvalResult } from '../evals/report/index.js';
import { main } from './cli.js';

// The CLI contract end to end, through the same main() bin/luminamind runs.

function result(caseId: string, pass: boolean): EvalResult {
  return { caseId, category: 'file-search', variant: 'gold', repeat: 0, pass, score: pass ? 1 : 0, graders: [], latencyMs: 1, tokens: { input: 0, output: 0 }, costUsd: 0, toolCalls: [] };
}

describe('luminamind eval compare', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lm-compare-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints {verdict, pValue, regressed, improved} as JSON and exits 1 on a regression', async () => {
    const base = Array.from({ length: 6 }, (_, i) => result(`r${i}`, true));
    const cand = Array.from({ length: 6 }, (_, i) => result(`r${i}`, false));
    const draft = (results: EvalResult[]) => ({ mode: 'simulated' as const, model: 'sim', config: {}, summary: summariseEval(results), results });
    await writeReport('eval', draft(base), join(dir, 'base.json'));
    await writeReport('eval', draft(cand), join(dir, 'cand.json'));
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const previous = process.exitCode;
    try {
      const code = await main(['node', 'luminamind', 'eval', 'compare', join(dir, 'base.json'), join(dir, 'cand.json'), '--json']);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
      process.exitCode = previous;
    }
    const printed = JSON.parse(out.join('')) as Record<string, unknown>;
    expect(printed).toEqual({ verdict: 'regressed', pValue: 0.03125, regressed: ['r0 gold#0', 'r1 gold#0', 'r2 gold#0', 'r3 gold#0', 'r4 gold#0', 'r5 gold#0'], improved: [] });
  });
});
