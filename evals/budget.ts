import { z } from 'zod';
import type { LlmCallRecord } from '../agent/src/index.js';

/**
 * A case's budget (`budget:` on a case, defaults under `defaults.budget` in its dataset file). Each limit is
 * optional; crossing one stops the run and fails the case with kind `budget` (the agent's failure, never a
 * harness error).
 */
export const BudgetSchema = z
  .object({
    latencyMs: z.number().int().positive().optional(),
    modelCalls: z.number().int().positive().optional(),
    tokens: z.number().int().positive().optional(),
    costUsd: z.number().positive().optional(),
  })
  .strict();
export type Budget = z.infer<typeof BudgetSchema>;

/** The first limit the usage so far crosses, as a sentence, or undefined. */
export function overBudget(budget: Budget | undefined, used: { latencyMs?: number; modelCalls: number; tokens: number; costUsd: number }): string | undefined {
  if (!budget) return undefined;
  if (budget.modelCalls !== undefined && used.modelCalls > budget.modelCalls) return `model calls ${used.modelCalls} > budget ${budget.modelCalls}`;
  if (budget.tokens !== undefined && used.tokens > budget.tokens) return `tokens ${used.tokens} > budget ${budget.tokens}`;
  if (budget.costUsd !== undefined && used.costUsd > budget.costUsd) return `cost $${used.costUsd.toFixed(6)} > budget $${budget.costUsd}`;
  if (budget.latencyMs !== undefined && used.latencyMs !== undefined && used.latencyMs > budget.latencyMs) return `latency ${used.latencyMs} ms > budget ${budget.latencyMs} ms`;
  return undefined;
}

/**
 * Watches a run's model calls against its budget and aborts the run when one crosses it (the call that
 * crossed it completes; no further call starts). `signal` aborts on the budget or on the harness timeout.
 *
 * @example
 *   const meter = budgetMeter(c.budget, 60_000);
 *   createAgentFromConfig(config, { onCall: meter.onCall }); await agent.run({ …, signal: meter.signal });
 */
export function budgetMeter(budget: Budget | undefined, timeoutMs: number): { signal: AbortSignal; onCall(call: LlmCallRecord): void; exceeded(): string | undefined; dispose(): void } {
  const controller = new AbortController();
  const used = { modelCalls: 0, tokens: 0, costUsd: 0 };
  let exceeded: string | undefined;
  const stop = (why: string): void => {
    exceeded ??= why;
    controller.abort(new Error(`over budget: ${why}`));
  };
  const latency = budget?.latencyMs !== undefined && budget.latencyMs < timeoutMs ? setTimeout(() => stop(`latency > budget ${budget.latencyMs} ms`), budget.latencyMs) : undefined;
  return {
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]),
    onCall(call) {
      used.modelCalls++;
      used.tokens += call.inputTokens + call.outputTokens;
      used.costUsd += call.costUsd;
      const why = overBudget(budget, used);
      if (why) stop(why);
    },
    exceeded: () => exceeded,
    dispose: () => clearTimeout(latency),
  };
}
