import type { Drill } from '../lab/index.js';

export const model503 = {
  id: 'model-503',
  title: 'the primary model endpoint answers every completion with 503',
  runbook: 'R2 HighErrorRate (LLM down → breaker opens, fallback answers)',
  faultSeconds: 5,
  stack: { fallback: true },
  hypothesis: { minSuccessDuring: 0.9, minQualityAnswered: 3 },
  async inject(stack) {
    stack.primary.resetStats();
    stack.fallback?.resetStats();
    stack.primary.setFaults({ ...stack.baseFaults, errorRate: 1, errorStatus: 503 });
    return { primaryFaults: stack.primary.faults() };
  },
  async heal(stack) {
    const injected = stack.primary.stats().faults.errors;
    const fallbackServed = stack.fallback?.stats().served ?? 0;
    stack.primary.setFaults(stack.baseFaults);
    return { primary503s: injected, fallbackServed };
  },
  withoutResilience: { feature: 'no fallback model configured', stack: { fallback: false } },
  alert: { name: 'HighErrorRate', expect: 'silent' },
} satisfies Drill;
