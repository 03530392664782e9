import { agreement, calibrate, loadCalibrationSet } from './calibrate.js';

describe('calibration', () => {
  it('computes precision, recall and Cohen kappa (hand-computed table)', () => {
    // tp=20 fp=5 fn=10 tn=25: po=0.75, pe=(25·30+35·30)/3600=0.5, kappa=0.5
    const pairs = [
      ...Array.from({ length: 20 }, () => ({ predicted: true, actual: true })),
      ...Array.from({ length: 5 }, () => ({ predicted: true, actual: false })),
      ...Array.from({ length: 10 }, () => ({ predicted: false, actual: true })),
      ...Array.from({ length: 25 }, () => ({ predicted: false, actual: false })),
    ];
    expect(agreement(pairs)).toMatchObject({ tp: 20, fp: 5, fn: 10, tn: 25, precision: 0.8, recall: 20 / 30, kappa: 0.5 });
  });

  it('runs the grounding grader over the labelled set (≥60 items); the judge is reported as not run without a model', async () => {
    const items = await loadCalibrationSet('datasets/calibration/grounding.yaml');
    expect(items.length).toBeGreaterThanOrEqual(60);
    expect(items.filter((i) => i.label === 'hallucinated').length).toBeGreaterThanOrEqual(25);
    const report = await calibrate(items);
    const g = report.graders.grounding!;
    expect(g.run).toBe(true);
    if (g.run) {
      expect(g.precision).toBeGreaterThanOrEqual(0.9);
      expect(g.recall).toBeGreaterThanOrEqual(0.75);
      expect(g.kappa).toBeGreaterThanOrEqual(0.7);
    }
    expect(report.graders.judge).toEqual({ run: false, reason: 'not run: no JUDGE_MODEL configured' });
  });
});
