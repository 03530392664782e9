import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { EndpointRole } from './endpoint.js';

/** `status` label of luminamind_llm_requests_total. */
export type LlmCallStatus = 'success' | 'error' | 'timeout' | 'circuit_open' | 'cancelled';

/**
 * One call to one endpoint (all its retry attempts together). A call that fell back produces two records:
 * the primary's failure and the fallback's answer.
 */
export interface LlmCallRecord {
  readonly provider: string;
  readonly model: string;
  readonly endpoint: EndpointRole;
  readonly status: LlmCallStatus;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** Wall time of the call including retries and backoff, in ms. */
  readonly latencyMs: number;
  /** HTTP requests made (0 when the breaker refused the call). */
  readonly attempts: number;
  readonly streamed: boolean;
  readonly error?: string;
}

/** USD per million tokens. */
export interface Pricing {
  readonly input: number;
  readonly output: number;
}

export function costUsd(pricing: Pricing, inputTokens: number, outputTokens: number): number {
  return (inputTokens * pricing.input + outputTokens * pricing.output) / 1e6;
}

/** Name of the LangChain custom callback event carrying an LlmCallRecord (also visible in streamEvents). */
export const LLM_CALL_EVENT = 'luminamind_llm_call';

export interface UsageTotals {
  /** Endpoint calls, failures and fallbacks included. */
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Answers that came from the fallback endpoint. */
  readonly fallbackAnswers: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
}

/**
 * Sums the model calls of one run. Pass it as a callback to the run and the resilient model reports every
 * call to it, subagents included, because LangChain callbacks are inherited by nested runs.
 *
 * @example
 *   const usage = new UsageRecorder();
 *   await agent.invoke(input, { callbacks: [usage] });
 *   usage.totals(); // { requests, inputTokens, outputTokens, costUsd, … }
 */
export class UsageRecorder extends BaseCallbackHandler {
  name = 'luminamind_usage_recorder';
  readonly #calls: LlmCallRecord[] = [];

  constructor() {
    super();
    // Records must be complete when the run's promise resolves, not queued in the background.
    this.awaitHandlers = true;
  }

  /** The same instance: LangChain must not fork the tally of one run. */
  override copy(): this {
    return this;
  }

  override handleCustomEvent(eventName: string, data: unknown): void {
    if (eventName === LLM_CALL_EVENT) this.record(data as LlmCallRecord);
  }

  record(call: LlmCallRecord): void {
    this.#calls.push(call);
  }

  get calls(): readonly LlmCallRecord[] {
    return this.#calls;
  }

  totals(): UsageTotals {
    return sumCalls(this.#calls);
  }
}

export function sumCalls(calls: readonly LlmCallRecord[]): UsageTotals {
  let succeeded = 0;
  let fallbackAnswers = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let cost = 0;
  let latencyMs = 0;
  for (const c of calls) {
    if (c.status === 'success') {
      succeeded++;
      if (c.endpoint === 'fallback') fallbackAnswers++;
    }
    inputTokens += c.inputTokens;
    outputTokens += c.outputTokens;
    cost += c.costUsd;
    latencyMs += c.latencyMs;
  }
  return {
    requests: calls.length,
    succeeded,
    failed: calls.length - succeeded,
    fallbackAnswers,
    inputTokens,
    outputTokens,
    costUsd: cost,
    latencyMs,
  };
}
