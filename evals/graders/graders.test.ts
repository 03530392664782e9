import { loadDataset } from '../dataset.js';
import { GRADER_IDS, graders, trajectory, type Grader } from './index.js';

// One conformance test over every registered grader (one extension = one file in an exhaustive registry, each with one conformance test).
describe.each(GRADER_IDS.map((id) => [id, graders[id] as Grader] as const))('grader %s', (id, grader) => {
  it('is registered under its own id, with a description and params schema', () => {
    expect(grader.id).toBe(id);
    expect(grader.description.length).toBeGreaterThan(10);
    expect(grader.params.safeParse(grader.examples.params).success).toBe(true);
  });

  it('passes its passing example and fails its failing example, with a reason and a score in [0, 1]', async () => {
    const params = grader.params.parse(grader.examples.params);
    const deps = grader.examples.deps ?? {};
    const good = await grader.grade(params, trajectory(grader.examples.pass), deps);
    const bad = await grader.grade(params, trajectory(grader.examples.fail), deps);
    expect(good).toMatchObject({ pass: true });
    expect(bad).toMatchObject({ pass: false });
    for (const r of [good, bad]) {
      expect(r.reason.length).toBeGreaterThan(0);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.skipped).toBeFalsy();
    }
  });
});

describe('judge without a judge model', () => {
  it('is skipped and never passes', async () => {
    const r = await graders.judge.grade(graders.judge.params.parse({ rubric: 'x' }), trajectory({ answer: 'Canberra.' }), {});
    expect(r).toMatchObject({ pass: false, skipped: true });
  });
});

describe('the regression dataset', () => {
  it('loads, validates, and has ≥100 cases with ≥8 per category, each with gold and a faulty variant', async () => {
    const cases = await loadDataset('datasets/regression', GRADER_IDS);
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const per = new Map<string, number>();
    for (const c of cases) per.set(c.category, (per.get(c.category) ?? 0) + 1);
    expect(per.size).toBe(10);
    for (const [category, n] of per) expect(n, category).toBeGreaterThanOrEqual(8);
    for (const c of cases) for (const e of c.expect) expect(graders[e.grader as keyof typeof graders].params.safeParse(e).success, `${c.id} ${e.grader}`).toBe(true);
  });
});
