import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPOTHESIS, DRILL_IDS, drills, type Drill } from './index.js';

describe.each(DRILL_IDS.map((id) => [id, drills[id] as Drill] as const))('drill %s (conformance)', (id, drill) => {
  it('is registered under its own id, with a bounded fault and a runbook', () => {
    expect(drill.id).toBe(id);
    expect(drill.faultSeconds).toBeGreaterThan(0);
    expect(drill.faultSeconds).toBeLessThanOrEqual(10);
    expect(drill.runbook.length).toBeGreaterThan(0);
    expect(drill.stack.replicas ?? 1).toBeLessThanOrEqual(2);
  });

  it('keeps the steady-state hypothesis sane (rates in [0, 1], P95 ≤ 5 s before/after, recovery ≤ 30 s)', () => {
    const h = { ...DEFAULT_HYPOTHESIS, ...drill.hypothesis };
    for (const r of [h.minSuccessBefore, h.minSuccessDuring, h.minSuccessAfter]) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
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
