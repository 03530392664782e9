import { asExpected, compareResults, flakyGroups, flipsAgainst, summariseEval, type EvalResult } from './index.js';

function result(caseId: string, pass: boolean, variant = 'gold', repeat = 0): EvalResult {
  return { caseId, category: 'file-search', variant, repeat, pass, score: pass ? 1 : 0, graders: [], latencyMs: 1, tokens: { input: 0, output: 0 }, costUsd: 0, toolCalls: [] };
}

/** b pairs regress (pass → fail), c improve, `same` stay passing: a McNemar table with known discordant counts. */
function table(b: number, c: number, same = 3): { base: EvalResult[]; cand: EvalResult[] } {
  const base: EvalResult[] = [];
  const cand: EvalResult[] = [];
  const add = (id: string, before: boolean, after: boolean): void => {
    base.push(result(id, before));
    cand.push(result(id, after));
  };
  for (let i = 0; i < b; i++) add(`r${i}`, true, false);
  for (let i = 0; i < c; i++) add(`i${i}`, false, true);
  for (let i = 0; i < same; i++) add(`s${i}`, true, true);
  return { base, cand };
}

describe('compareResults (exact McNemar, hand-computed)', () => {
  it.each([
    [0, 5, 0.0625, 'no significant change'],
    [6, 0, 0.03125, 'regressed'],
    [1, 9, 0.021484375, 'improved'],
    [8, 2, 0.109375, 'no significant change'],
    [10, 2, 0.03857421875, 'regressed'],
  ] as const)('b=%i c=%i → p=%f, %s', (b, c, p, verdict) => {
    const { base, cand } = table(b, c);
    const cmp = compareResults(base, cand);
    expect(cmp.pValue).toBeCloseTo(p, 12);
    expect(cmp.verdict).toBe(verdict);
    expect(cmp.regressed).toHaveLength(b);
    expect(cmp.improved).toHaveLength(c);
  });

  it('pairs by case, variant and repeat, ignores unpaired results, and treats a caught faulty variant as expected', () => {
    const base = [result('a', true, 'gold', 0), result('a', false, 'faulty:x', 0), result('b', true, 'gold', 1)];
    const cand = [result('a', true, 'gold', 0), result('a', true, 'faulty:x', 0), result('b', false, 'gold', 0)];
    const cmp = compareResults(base, cand);
    expect(cmp.pairs).toBe(2);
    expect(cmp.regressed).toEqual(['a faulty:x#0']);
    expect(asExpected({ ...result('e', false), error: { message: 'boom' } })).toBe(false);
  });
});

describe('summarise', () => {
  it('computes pass^k with a per-case floor, specificity, sensitivity and the harness error rate', () => {
    const results = [
      result('a', true, 'gold', 0),
      result('a', true, 'gold', 1),
      result('b', true, 'gold', 0),
      result('b', false, 'gold', 1),
      result('a', false, 'faulty:x', 0),
      result('a', true, 'faulty:x', 1),
      { ...result('c', false, 'gold', 0), error: { message: 'timeout' } },
    ];
    const s = summariseEval(results, 2);
    expect(s.passK.k).toBe(2);
    // a: C(2,2)/C(2,2) = 1; b: C(1,2)/C(2,2) = 0; c: 0 of 1 → 0. Mean 1/3, floor 0.
    expect(s.passK.rate).toBeCloseTo(1 / 3, 12);
    expect(s.passK.floor).toBe(0);
    expect(s.specificity).toBeCloseTo(3 / 5, 12);
    expect(s.sensitivity).toBeCloseTo(1 / 2, 12);
    expect(s.harnessErrorRate).toBeCloseTo(1 / 7, 12);
    expect(s.passRate).toBeCloseTo(3 / 5, 12);
  });
});

describe('flips against a baseline, per (case, variant) group', () => {
  const r = (caseId: string, repeat: number, pass: boolean, error = false): EvalResult => ({
    caseId, category: 'x', variant: 'gold', repeat, pass, score: pass ? 1 : 0, graders: [], latencyMs: 1, tokens: { input: 0, output: 0 }, costUsd: 0, toolCalls: [],
    ...(error ? { error: { code: 'EVL_ERR_HARNESS_FAILED', message: 'down' } } : {}),
  });
  it('names regressed, fixed, newly flaky and steadied groups; a harness error makes nothing flaky', () => {
    const base = [r('a', 0, true), r('a', 1, true), r('b', 0, false), r('b', 1, false), r('c', 0, true), r('c', 1, true), r('d', 0, true), r('d', 1, false), r('e', 0, true), r('e', 1, true)];
    const cand = [r('a', 0, false), r('a', 1, false), r('b', 0, true), r('b', 1, true), r('c', 0, true), r('c', 1, false), r('d', 0, true), r('d', 1, true), r('e', 0, true), r('e', 1, false, true)];
    expect(flipsAgainst(base, cand)).toEqual({ regressed: ['a gold'], fixed: ['b gold'], newlyFlaky: ['c gold'], steadied: ['d gold'] });
    expect(flakyGroups(cand)).toEqual(['c gold']);
  });
});
