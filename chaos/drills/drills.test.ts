import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_HYPOTHESIS, DRILL_IDS, drills, hypothesisProblems, type Drill } from './index.js';
import { RULES_FILE } from '../lab/alerts/drill-rules.js';

const EXPERIMENTS = join(import.meta.dirname, '../experiments');
const clusterAlerts = readdirSync(EXPERIMENTS)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(EXPERIMENTS, f), 'utf8')).map((d) => ({ file: f, meta: (d.toJS() as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } }).metadata })))
  .filter((x) => x.meta?.labels?.['luminamind.dev/drill'] && x.meta.labels['luminamind.dev/expected-alert'])
  .map((x) => ({ file: x.file, drill: x.meta!.labels!['luminamind.dev/drill']!, alert: x.meta!.labels!['luminamind.dev/expected-alert']!, expect: x.meta!.annotations?.['luminamind.dev/alert-expectation'] }));
const ruleNames = new Set((parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert)));

describe.each(DRILL_IDS.map((id) => [id, drills[id] as Drill] as const))('drill %s (conformance)', (id, drill) => {
  it('is registered under its own id, with a bounded fault and a runbook', () => {
    expect(drill.id).toBe(id);
    expect(drill.faultSeconds).toBeGreaterThan(0);
    expect(drill.faultSeconds).toBeLessThanOrEqual(10);
    expect(drill.runbook.length).toBeGreaterThan(0);
    expect(drill.stack.replicas ?? 1).toBeLessThanOrEqual(2);
  });

  it('states a hypothesis that can fail in every phase (serve ≥ a real floor or refuse as designed; bounds under the probe timeout; recovery ≤ 30 s)', () => {
    const h = { ...DEFAULT_HYPOTHESIS, ...drill.hypothesis };
    expect(hypothesisProblems(h)).toEqual([]);
    expect(h.minSuccessBefore).toBeGreaterThanOrEqual(0.99);
    expect(h.minSuccessAfter).toBeGreaterThanOrEqual(0.99);
    expect(h.maxP95Ms).toBeLessThanOrEqual(5_000);
    expect(h.recoveryDeadlineSeconds).toBeLessThanOrEqual(30);
  });

  it('names the resilience feature its can-fail test switches off, and switches something', () => {
    expect(drill.withoutResilience.feature.length).toBeGreaterThan(0);
    expect(Boolean(drill.withoutResilience.stack) || Boolean(drill.withoutResilience.hypothesis)).toBe(true);
  });
});

describe('drill alerts match the Chaos Mesh experiments', () => {
  it('finds the experiments and every drill they name', () => {
    expect(clusterAlerts.length).toBeGreaterThanOrEqual(5);
    for (const x of clusterAlerts) expect(DRILL_IDS, x.file).toContain(x.drill);
  });

  it.each(clusterAlerts)('$file: drill $drill expects $alert ($expect)', ({ file, drill, alert, expect: expectation }) => {
    const local = (drills as Record<string, Drill>)[drill]!.alert;
    expect(local.name, file).toBe(alert);
    // A local expectation may differ only with a stated reason, and a stated reason must match a real difference.
    if (local.differsFromCluster) expect(local.expect, file).not.toBe(expectation);
    else expect(local.expect, file).toBe(expectation);
  });

  it.each(DRILL_IDS.map((id) => [id, drills[id] as Drill] as const))('%s names an alert of deploy/monitoring', (_id, drill) => {
    expect(ruleNames).toContain(drill.alert.name);
  });
});
