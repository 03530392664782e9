import { describe, expect, it } from 'vitest';
import { judgeQuality, refusalPhase } from './harness.js';
import { DEFAULT_HYPOTHESIS, hypothesisProblems, validateDrills, drills, type Hypothesis } from '../drills/index.js';
import type { Sample } from './probe.js';
import type { QualityResult } from './quality.js';
import { describeQuality } from './quality.js';

const REFUSE = { status: 503, code: 'AGT_ERR_CHECKPOINT_FAILED', maxMs: 2_000 };
const serve = (over: Partial<Hypothesis> = {}): Hypothesis => ({ ...DEFAULT_HYPOTHESIS, minSuccessDuring: 0.9, ...over });

describe('vacuous hypotheses are rejected when the drill registry loads', () => {
  it.each([
    ['a 0 % floor during the fault', serve({ minSuccessDuring: 0 }), /minSuccessDuring 0: a floor of 0 % cannot fail/],
    ['a 0 % floor before the fault', serve({ minSuccessBefore: 0 }), /minSuccessBefore 0/],
    ['a share above 100 %', serve({ minSuccessAfter: 1.5 }), /above 100 %/],
    ['a P95 bound at the probe timeout (nothing can exceed it)', serve({ maxP95MsDuring: 10_000 }), /maxP95MsDuring 10000 ms: must be in \(0, 10000\)/],
    ['neither serve nor refuse during the fault', { ...DEFAULT_HYPOTHESIS }, /exactly one of minSuccessDuring .* and refuseDuring/],
    ['both serve and refuse', serve({ refuseDuring: REFUSE }), /exactly one of/],
    ['a refusal that is a 500', { ...DEFAULT_HYPOTHESIS, refuseDuring: { ...REFUSE, status: 500 } }, /never a 500/],
    ['a refusal bound nothing can exceed', { ...DEFAULT_HYPOTHESIS, refuseDuring: { ...REFUSE, maxMs: 60_000 } }, /refuseDuring.maxMs 60000 ms/],
    ['a refusal without its documented code', { ...DEFAULT_HYPOTHESIS, refuseDuring: { ...REFUSE, code: 'oops' } }, /name the documented error code/],
    ['a quality probe that needs no answer while serving', serve({ minQualityAnswered: 0 }), /minQualityAnswered 0/],
  ])('%s', (_name, h, why) => {
    expect(hypothesisProblems(h).join('\n')).toMatch(why);
  });

  it('accepts a real hypothesis of either kind', () => {
    expect(hypothesisProblems(serve())).toEqual([]);
    expect(hypothesisProblems({ ...DEFAULT_HYPOTHESIS, refuseDuring: REFUSE, minQualityAnswered: 0 })).toEqual([]);
  });

  it('the registry refuses a drill with a vacuous hypothesis, naming it, and loads the real ones', () => {
    const vacuous = { ...drills['redis-kill'], hypothesis: { minSuccessDuring: 0 } };
    expect(() => validateDrills({ 'redis-kill': vacuous })).toThrow(/redis-kill: minSuccessDuring 0: a floor of 0 % cannot fail/);
    const offVacuous = { ...drills['model-503'], withoutResilience: { ...drills['model-503'].withoutResilience, hypothesis: { maxP95MsDuring: 99_999 } } };
    expect(() => validateDrills({ 'model-503': offVacuous })).toThrow(/model-503 \(resilience off\): maxP95MsDuring 99999/);
    expect(validateDrills(drills)).toBe(drills);
  });
});

const sample = (seq: number, sentAt: number, status: number, ms: number, code?: string): Sample => ({ seq, sentAt, ms, status, ok: status === 200, threadId: `t${seq}`, message: 'm', done: true, ...(code ? { code } : {}) });
const refused = (seq: number, sentAt: number, ms = 20) => sample(seq, sentAt, 503, ms, REFUSE.code);

describe('a refusing during phase measures exactly the refusal', () => {
  it('holds when every request after the fault is refused quickly with the documented code (in-flight ones may finish)', () => {
    const p = refusalPhase([sample(1, 9.8, 200, 400), refused(2, 9.9, 2_900), refused(3, 10.2), refused(4, 10.5)], 10, REFUSE);
    expect(p).toMatchObject({ held: true, expect: 'refuse', requests: 4, refused: 3, wrong: 0 });
  });

  it.each([
    ['a request that hung', sample(3, 10.5, 0, 10_000), /hung or no answer ×1/],
    ['a 500', sample(3, 10.5, 500, 30, 'AGT_ERR_INTERNAL'), /HTTP 500 AGT_ERR_INTERNAL ×1/],
    ['a refusal with another code', sample(3, 10.5, 503, 30, 'AGT_ERR_MODEL_UNAVAILABLE'), /HTTP 503 AGT_ERR_MODEL_UNAVAILABLE ×1/],
    ['a slow refusal', refused(3, 10.5, 2_500), /too slow ×1/],
    ['a request served while the store is down (forgotten, not refused)', sample(3, 10.5, 200, 300), /served ×1/],
  ])('fails on %s', (_name, bad, why) => {
    const p = refusalPhase([refused(1, 10.1), refused(2, 10.3), bad], 10, REFUSE);
    expect(p.held).toBe(false);
    expect(p.detail).toMatch(why);
  });

  it('fails when it measured nothing or never saw a refusal', () => {
    expect(refusalPhase([], 10, REFUSE)).toMatchObject({ held: false, detail: expect.stringContaining('not measured') });
    expect(refusalPhase([sample(1, 9.5, 200, 300)], 10, REFUSE).held).toBe(false);
  });
});

describe('a fault that heals itself (mayServe: Sentinel failover) may serve or refuse, nothing else', () => {
  const HEALS = { ...REFUSE, mayServe: true };
  it('holds with served and quickly refused requests, and needs no refusal', () => {
    expect(refusalPhase([refused(1, 10.1), sample(2, 10.4, 200, 900), sample(3, 10.8, 200, 700)], 10, HEALS)).toMatchObject({ held: true, refused: 1, wrong: 0 });
    expect(refusalPhase([sample(1, 10.4, 200, 900)], 10, HEALS).held).toBe(true);
  });
  it.each([
    ['a request that hung', sample(2, 10.5, 0, 10_000)],
    ['a 500', sample(2, 10.5, 500, 30, 'AGT_ERR_INTERNAL')],
    ['a slow refusal', refused(2, 10.5, 2_500)],
  ])('still fails on %s', (_name, bad) => {
    expect(refusalPhase([refused(1, 10.1), bad], 10, HEALS).held).toBe(false);
  });
});

describe('the accepted data-loss window', () => {
  it('is refused when it would forgive more than 5 s of writes', () => {
    expect(hypothesisProblems(serve({ rpoSeconds: 10 }))).toEqual([expect.stringMatching(/^rpoSeconds 10/)]);
    expect(hypothesisProblems(serve({ rpoSeconds: 1 }))).toEqual([]);
  });
});

const quality = (results: QualityResult['results']): QualityResult => ({ cases: results.length, answered: results.filter((r) => r.answered).length, passed: results.filter((r) => r.pass).length, results });
const unanswered = (id: string, status: number, code?: string) => ({ id, answered: false, pass: false, reason: `no answer (HTTP ${status}${code ? ` ${code}` : ''})`, status, ...(code ? { code } : {}) });

describe('a quality probe that got no answers is not measured, never passed', () => {
  const none = quality([unanswered('plain', 503, REFUSE.code), unanswered('one-tool', 503, REFUSE.code), unanswered('multi-tool', 503, REFUSE.code)]);

  it('says "not measured" with why', () => {
    expect(describeQuality(none)).toBe('not measured: 0/3 answered (HTTP 503 AGT_ERR_CHECKPOINT_FAILED ×3)');
    expect(describeQuality(none)).not.toMatch(/passed/);
  });

  it('is a violation for a drill that serves through the fault, and fine for one that refuses as designed', () => {
    expect(judgeQuality(none, { minQualityAnswered: 3 })).toEqual([expect.stringMatching(/^quality: not measured: 0\/3 answered .*need ≥3 answered/)]);
    expect(judgeQuality(none, { minQualityAnswered: 0, refuseDuring: REFUSE })).toEqual([]);
  });

  it('a refusing drill still fails on a case that hung or got a 500', () => {
    const bad = quality([unanswered('plain', 0), unanswered('one-tool', 500, 'AGT_ERR_INTERNAL'), unanswered('multi-tool', 503, REFUSE.code)]);
    expect(judgeQuality(bad, { minQualityAnswered: 0, refuseDuring: REFUSE })).toEqual([expect.stringMatching(/plain no answer \(HTTP 0\), one-tool no answer \(HTTP 500 AGT_ERR_INTERNAL\)/)]);
  });
});
