import { agreement, calibrate, CLAIM_KINDS, formatCalibration, krippendorffAlpha, loadCalibrationSet, type CalibrationItem } from './calibrate.js';

// Measured with the grounding check as it was before issue 16 (commit 79ca09d), on this same set (363 items):
// precision 73.1 %, recall 73.4 %, FPR on faithful items 30.4 %, balanced accuracy 71.5 %. The check must keep
// balanced accuracy at least there, with FPR at most 10 %.
const BASELINE_BALANCED_ACCURACY = 0.715;

describe('calibration', () => {
  it('computes precision, recall, FPR, balanced accuracy and Cohen kappa (hand-computed table)', () => {
    // tp=20 fp=5 fn=10 tn=25: po=0.75, pe=(25·30+35·30)/3600=0.5, kappa=0.5; recall 2/3, fpr 1/6, bal.acc 0.75
    const pairs = [
      ...Array.from({ length: 20 }, () => ({ predicted: true, actual: true })),
      ...Array.from({ length: 5 }, () => ({ predicted: true, actual: false })),
      ...Array.from({ length: 10 }, () => ({ predicted: false, actual: true })),
      ...Array.from({ length: 25 }, () => ({ predicted: false, actual: false })),
    ];
    const a = agreement(pairs);
    expect(a).toMatchObject({ tp: 20, fp: 5, fn: 10, tn: 25, precision: 0.8, recall: 20 / 30, kappa: 0.5 });
    expect(a.fpr).toBeCloseTo(1 / 6, 10);
    expect(a.balancedAccuracy).toBeCloseTo(0.75, 10);
  });

  it('runs the grounding grader over the labelled set (≥300 items): few false alarms, balanced accuracy not below the baseline', async () => {
    const items = await loadCalibrationSet('datasets/calibration/grounding.yaml');
    expect(items.length).toBeGreaterThanOrEqual(300);
    expect(items.filter((i) => i.label === 'hallucinated').length).toBeGreaterThanOrEqual(100);
    expect(items.filter((i) => i.label === 'faithful').length).toBeGreaterThanOrEqual(100);
    const report = await calibrate(items);
    const g = report.graders.grounding!;
    expect(g.run).toBe(true);
    expect(g.fpr).toBeLessThanOrEqual(0.1);
    expect(g.balancedAccuracy).toBeGreaterThanOrEqual(BASELINE_BALANCED_ACCURACY);
    expect(g.precision).toBeGreaterThanOrEqual(0.9);
    expect(g.recall).toBeGreaterThanOrEqual(0.75);
    expect(g.kappa).toBeGreaterThanOrEqual(0.7);
    for (const k of CLAIM_KINDS) {
      expect(g.byKind[k].tp + g.byKind[k].fn).toBeGreaterThan(0); // every kind has labelled positives
      expect(g.byKind[k].fpr).toBeLessThanOrEqual(0.1);
    }
    expect(report.graders.judge).toEqual({ run: false, reason: 'not run: no JUDGE_MODEL configured' });
    expect(formatCalibration(report)).toMatch(/grounding by claim kind[\s\S]*\n {2}number\s/);
  });

  it('counts a planted wrong figure and a wrong name under their own kinds, and a false alarm against the kind that raised it', async () => {
    const evidence = ['Wales beat Scotland 27-13. Liam Williams scored two tries.'];
    const items: CalibrationItem[] = [
      { id: 'ok', label: 'faithful', question: 'Summarise.', evidence, answer: 'The Welsh beat the Scots 27–13; Williams scored twice.' },
      { id: 'fig', label: 'hallucinated', kind: 'number', question: 'Summarise.', evidence, answer: 'Wales beat Scotland 27-18.' },
      { id: 'nam', label: 'hallucinated', kind: 'name', question: 'Summarise.', evidence, answer: 'Finn Russell scored two tries.' },
      // Consistent, but a computed figure written in words is matched to stated figures only: a known false alarm.
      { id: 'alarm', label: 'faithful', question: 'Summarise.', evidence, answer: 'Wales won by fourteen points.' },
    ];
    const g = (await calibrate(items)).graders.grounding!;
    expect(g).toMatchObject({ tp: 2, fp: 1, fn: 0, tn: 1 });
    expect(g.byKind.number).toMatchObject({ tp: 1, fn: 0, fp: 1, tn: 1 });
    expect(g.byKind.name).toMatchObject({ tp: 1, fn: 0, fp: 0, tn: 2 });
    expect(g.misses).toEqual(['alarm (false alarm: number)']);
  });

  it('refuses a hallucinated item without the kind of its error', async () => {
    const { CalibrationItemSchema } = await import('./calibrate.js');
    expect(CalibrationItemSchema.safeParse({ id: 'x', label: 'hallucinated', question: 'q', evidence: ['e'], answer: 'a' }).success).toBe(false);
    expect(CalibrationItemSchema.safeParse({ id: 'x', label: 'faithful', kind: 'number', question: 'q', evidence: ['e'], answer: 'a' }).success).toBe(false);
  });
});

describe("Krippendorff's alpha and the base rate", () => {
  it('matches a hand-computed value, is 1 on full agreement and below 0 on systematic disagreement', () => {
    // o00 = 4, o11 = 2, o01 = o10 = 1; n0 = 5, n1 = 3: alpha = 1 - 7·2 / (2·5·3) = 0.5333…
    expect(krippendorffAlpha([[true, true], [false, false], [true, false], [false, false]])).toBeCloseTo(8 / 15, 12);
    expect(krippendorffAlpha([[true, true, true], [false, false, false]])).toBe(1);
    expect(krippendorffAlpha([[true, false], [false, true]])!).toBeLessThan(0);
    expect(krippendorffAlpha([[true, true]])).toBeNull(); // one category: nothing to tell apart
    expect(krippendorffAlpha([[true, undefined], [false, false], [true, true]])).toBe(1); // a missing rating is skipped
  });
  it('reports the label base rate beside kappa', () => {
    expect(agreement([{ predicted: true, actual: true }, { predicted: false, actual: false }, { predicted: false, actual: false }, { predicted: true, actual: false }]).baseRate).toBe(0.25);
  });
});
