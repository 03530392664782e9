import { z } from 'zod';
import { BudgetSchema, overBudget } from '../budget.js';
import { outcome, type Grader } from './types.js';

const params = z.object(BudgetSchema.shape);

export const budgetGrader = {
  id: 'budget',
  kind: 'trajectory',
  description: "The run stayed within the case's budget: latency, model calls, tokens (in + out) and cost. Added to every case with a `budget`.",
  params,
  grade(p, t) {
    const used = { latencyMs: t.latencyMs, modelCalls: t.usage.calls, tokens: t.usage.inputTokens + t.usage.outputTokens, costUsd: t.usage.costUsd };
    const why = overBudget(p, used);
    return outcome(!why, why ?? `within budget: ${used.modelCalls} model call(s), ${used.tokens} token(s), $${used.costUsd.toFixed(6)}${used.latencyMs === undefined ? '' : `, ${used.latencyMs} ms`}`);
  },
  examples: {
    params: { modelCalls: 2, tokens: 1000 },
    pass: { usage: { calls: 2, inputTokens: 400, outputTokens: 100, costUsd: 0 } },
    fail: { usage: { calls: 3, inputTokens: 400, outputTokens: 100, costUsd: 0 } },
  },
} satisfies Grader<typeof params>;
