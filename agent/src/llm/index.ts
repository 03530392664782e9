import type { Config, ModelEndpoint } from '../config.js';
import { ConfigInvalidError } from '../errors.js';
import { createEndpointModel, hostOf, providerOf, type EndpointRole } from './endpoint.js';
import { EndpointPolicy, type BreakerState } from './resilience.js';
import { ResilientChatModel, type ResilientEndpoint } from './resilient-chat-model.js';
import type { LlmCallRecord } from './usage.js';

export { createEndpointModel, providerOf, type EndpointRole } from './endpoint.js';
export { EndpointPolicy, isTransientError, type BreakerSnapshot, type BreakerState } from './resilience.js';
export {
  ResilientChatModel,
  type EndpointHealth,
  type ResilientChatModelCallOptions,
} from './resilient-chat-model.js';
export { LLM_CALL_EVENT, UsageRecorder, costUsd, sumCalls, type LlmCallRecord, type LlmCallStatus, type Pricing, type UsageTotals } from './usage.js';

export interface BreakerChange {
  readonly endpoint: EndpointRole;
  readonly provider: string;
  readonly model: string;
  readonly state: BreakerState;
}

export interface ChatModelHooks {
  /** Every endpoint call, after its retries: feed luminamind_llm_{requests,tokens,cost}_total and latency from it. */
  readonly onCall?: (call: LlmCallRecord) => void;
  /** Every breaker transition of either endpoint (closed → open → half-open → closed). */
  readonly onBreakerChange?: (change: BreakerChange) => void;
}

const NO_MODEL_HELP =
  'no model endpoint is configured. Set OPENAI_BASE_URL (an OpenAI-compatible endpoint, e.g. http://127.0.0.1:PORT/v1 ' +
  'of `luminamind sim`), LLM_MODEL and OPENAI_API_KEY; optionally LLM_FALLBACK_BASE_URL, LLM_FALLBACK_MODEL and LLM_FALLBACK_API_KEY.';

/** The missing model as a config problem line ('' when a primary endpoint is configured), for checks that list every problem at once. */
export function modelConfigProblem(config: Config): string {
  return config.llm.primary ? '' : `  - OPENAI_BASE_URL, LLM_MODEL: ${NO_MODEL_HELP}`;
}

/**
 * The one chat model the agent uses: config.llm.primary with retries, a circuit breaker and a timeout, falling back
 * to config.llm.fallback. Create it once per process so every run shares the breakers.
 *
 * @example
 *   const model = createChatModel(config, { onCall: (c) => llmRequests.inc({ provider: c.provider, model: c.model, status: c.status }) });
 *   const agent = createAgent({ model, tools });
 *   model.breakerStates(); // { primary: { state: 'closed', … }, fallback: { … } }
 */
export function createChatModel(config: Config, hooks: ChatModelHooks = {}): ResilientChatModel {
  const { llm } = config;
  if (!llm.primary) throw new ConfigInvalidError(modelConfigProblem(config));
  const build = (role: EndpointRole, endpoint: ModelEndpoint): ResilientEndpoint => {
    const policy = new EndpointPolicy({ retry: llm.retry, breaker: llm.breaker, timeoutMs: llm.timeoutMs });
    const provider = providerOf(endpoint.baseUrl);
    if (hooks.onBreakerChange) {
      const notify = hooks.onBreakerChange;
      policy.onStateChange((state) => {
        try {
          notify({ endpoint: role, provider, model: endpoint.model, state });
        } catch {
          // An observer must never break the breaker.
        }
      });
    }
    return {
      role,
      provider,
      model: endpoint.model,
      host: hostOf(endpoint.baseUrl),
      client: createEndpointModel(endpoint, { temperature: llm.temperature, timeoutMs: llm.timeoutMs }),
      policy,
    };
  };
  return new ResilientChatModel({
    primary: build('primary', llm.primary),
    ...(llm.fallback ? { fallback: build('fallback', llm.fallback) } : {}),
    pricing: llm.pricePerMTok,
    temperature: llm.temperature,
    ...(hooks.onCall ? { onCall: hooks.onCall } : {}),
  });
}
