import type { Drill } from '../lab/index.js';

export const modelLatencyX10 = {
  id: 'model-latency-x10',
  title: 'the primary model gets 10× slower (time to first token ×10, tokens/s ÷10)',
  runbook: 'R3 Latency (P95 > 10 s: slow LLM → timeout, fallback)',
  faultSeconds: 5,
  stack: { fallback: true, env: { LLM_TIMEOUT_MS: '1000', LLM_MAX_ATTEMPTS: '1' } },
  hypothesis: { minSuccessDuring: 0.9, minQualityAnswered: 3 },
  async inject(stack) {
    stack.primary.resetStats();
    const slow = { ttftMs: stack.baseFaults.ttftMs * 10, tokensPerSecond: stack.baseFaults.tokensPerSecond / 10 };
    stack.primary.setFaults(slow);
    return { primaryFaults: slow };
  },
  async heal(stack) {
    const delayed = stack.primary.stats().requests;
    stack.primary.setFaults(stack.baseFaults);
    return { slowPrimaryRequests: delayed, fallbackServed: stack.fallback?.stats().served ?? 0 };
  },
  withoutResilience: { feature: 'no fallback and the default 30 s model timeout', stack: { fallback: false, env: { LLM_TIMEOUT_MS: '30000', LLM_MAX_ATTEMPTS: '1' } } },
  alert: {
    name: 'HighLatency',
    expect: 'silent',
    differsFromCluster:
      'the cluster experiment delays every packet with the default 30 s model timeout, so P95 > 5 s there; this drill keeps LLM_TIMEOUT_MS 1 s + fallback and its hypothesis demands P95 ≤ 5 s during the fault, so HighLatency firing here would contradict it',
  },
} satisfies Drill;
