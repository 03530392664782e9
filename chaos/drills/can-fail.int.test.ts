import { describe, expect, it } from 'vitest';
import { drills, runDrill, type DrillId } from './index.js';

// Each drill with its resilience feature switched off must violate its hypothesis, for the stated reason.
const cases: { id: DrillId; violation: RegExp }[] = [
  { id: 'redis-kill', violation: /^data: \d+ thread\(s\) lost/ },
  { id: 'redis-freeze', violation: /^during:/ },
  { id: 'model-503', violation: /^during:|^quality:/ },
  { id: 'model-latency-x10', violation: /^during:/ },
  { id: 'replica-kill', violation: /^during:/ },
  { id: 'memory-pressure', violation: /^during:|service process is down/ },
];

describe('each drill can fail', () => {
  it.each(cases)('$id with its resilience feature off violates the hypothesis', async ({ id, violation }) => {
    const { result, journal } = await runDrill(drills[id], { withoutResilience: true, rate: 4, beforeSeconds: 2, faultSeconds: 2.5, afterSeconds: 1.5 });
    expect(result.verdict, JSON.stringify(journal.violations)).toBe('fail');
    expect(journal.violations.some((v) => violation.test(v)), JSON.stringify(journal.violations)).toBe(true);
  }, 90_000);
});
