import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './fixtures.test-support.js';
import { loadPolicy } from './policy.js';

const file = (text: string) => {
  const path = join(tempDir('policy-'), 'policy.yaml');
  writeFileSync(path, text);
  return path;
};

describe('policy', () => {
  it('ships pr and release with the quality targets as thresholds (pass rate ≥ 95 %, hallucination ≤ 2 %, tool success ≥ 98 %, p95 ≤ 5 s, errors < 0.5 %, ≥ 50 rps, coverage ≥ 80 %)', async () => {
    const pr = await loadPolicy('pr');
    const release = await loadPolicy('release');
    expect(pr.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pr.policy.checks['eval-pass-rate']!.threshold).toEqual({ op: 'gte', value: 0.95 });
    expect(pr.policy.checks['eval-hallucination']!.threshold).toEqual({ op: 'lte', value: 0.02 });
    expect(pr.policy.checks['eval-tool-success']!.threshold).toEqual({ op: 'gte', value: 0.98 });
    expect(pr.policy.checks['coverage-lines']!.threshold).toEqual({ op: 'gte', value: 80 });
    expect(pr.policy.checks['load-p95']!.threshold).toEqual({ op: 'lte', value: 5000 });
    expect(pr.policy.checks['load-error-rate']!.threshold).toEqual({ op: 'lt', value: 0.005 });
    expect(pr.policy.checks['load-throughput']!.threshold).toEqual({ op: 'gte', value: 50 });
    expect(pr.policy.checks['security-findings']!.threshold).toEqual({ op: 'lte', value: 0 });
    expect(pr.policy.evidence.evalModes).toContain('simulated');
    expect(release.policy.evidence).toEqual({ allowDirty: false, evalModes: ['live'], reuse: false });
    expect(pr.policy.evidence.reuse).toBe(true);
    expect(Object.values(release.policy.checks).every((c) => c!.veto)).toBe(true);
  });

  it.each([
    ['an unknown check', 'x:\n  description: d\n  minScore: 1\n  evidence: { allowDirty: true, evalModes: [live] }\n  checks:\n    eval-accuracy: { weight: 1 }\n', 'eval-accuracy'],
    ['a bad param', 'x:\n  description: d\n  minScore: 1\n  evidence: { allowDirty: true, evalModes: [live] }\n  checks:\n    eval-baseline: { params: { alpha: 2 } }\n', 'checks.eval-baseline.params.alpha'],
    ['a bad operator', 'x:\n  description: d\n  minScore: 1\n  evidence: { allowDirty: true, evalModes: [live] }\n  checks:\n    load-p95: { threshold: { op: le, value: 1 } }\n', 'threshold.op'],
    ['no checks', 'x:\n  description: d\n  minScore: 1\n  evidence: { allowDirty: true, evalModes: [live] }\n  checks: {}\n', 'at least one check'],
    ['not YAML', 'x: [', 'x'],
  ])('rejects %s, naming it', async (_name, text, needle) => {
    await expect(loadPolicy('x', file(text))).rejects.toMatchObject({ code: 'GATE_ERR_POLICY_INVALID', message: expect.stringContaining(needle) });
  });

  it('names the policies it has when asked for another', async () => {
    await expect(loadPolicy('staging')).rejects.toMatchObject({ code: 'GATE_ERR_POLICY_UNKNOWN', message: expect.stringContaining('pr, release') });
  });
});
