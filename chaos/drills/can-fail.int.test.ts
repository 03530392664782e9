import { describe, expect, it } from 'vitest';
import { drills, runDrill, type DrillId, type DrillRunOptions } from './index.js';

// Each drill with its resilience feature switched off must violate its hypothesis, for the stated reason.
// The stated reasons are phases, data and recovery, never the alert: the alert check (a private Prometheus, ~10 s of
// settling per drill) is left out here; judgeAlert's violations and a real Prometheus firing are proved in
// chaos/lab/alerts/prometheus.int.test.ts, and `luminamind chaos` runs every drill with it.
const cases: { id: DrillId; violation: RegExp; options?: DrillRunOptions }[] = [
  { id: 'redis-kill', violation: /^data: \d+ thread\(s\) lost/ },
  { id: 'redis-freeze', violation: /^during:/ },
  { id: 'model-503', violation: /^during:|^quality:/ },
  // A slowed call takes ~2.5 s to its first token; within a 2.5 s fault most requests are healed half-way and the P95
  // sat at 5.3 s against the 5 s bound (once under it). 8 s of fault leaves most requests slow from start to end.
  { id: 'model-latency-x10', violation: /^during:/, options: { faultSeconds: 8 } },
  { id: 'replica-kill', violation: /^during:/ },
  // The killed service never comes back: a 5 s recovery deadline instead of 30 s ends the wait sooner; the stated
  // reason (the during phase, the dead process) does not depend on it.
  { id: 'memory-pressure', violation: /^during:|service process is down/, options: { hypothesis: { recoveryDeadlineSeconds: 5 } } },
  // Pinned to the dead master, the service never comes back (a 10 s deadline: with Sentinels it is back in ~5 s).
  { id: 'redis-failover', violation: /^recovery never/, options: { hypothesis: { recoveryDeadlineSeconds: 10 } } },
  // No backup, no restore: the threads written before the wipe are gone (enough before-time that some were written).
  { id: 'redis-restore', violation: /^data: \d+ thread\(s\) lost/, options: { beforeSeconds: 6 } },
];

describe('each drill can fail', () => {
  it.each(cases)('$id with its resilience feature off violates the hypothesis', async ({ id, violation, options }) => {
    const { result, journal } = await runDrill(drills[id], { withoutResilience: true, rate: 4, beforeSeconds: 2, faultSeconds: 2.5, afterSeconds: 1.5, prometheus: false, ...options });
    expect(result.verdict, JSON.stringify(journal.violations)).toBe('fail');
    expect(journal.violations.some((v) => violation.test(v)), JSON.stringify(journal.violations)).toBe(true);
  }, 150_000);
});
