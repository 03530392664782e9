import { ChatOpenAI, type ChatOpenAIFields } from '@langchain/openai';
import type { ModelEndpoint } from '../config.js';
import { HttpChatCompletions } from './http-completions.js';

/** Which configured endpoint served (or failed) a call. */
export type EndpointRole = 'primary' | 'fallback';

export interface EndpointModelOptions {
  readonly temperature: number;
  readonly timeoutMs: number;
}

/**
 * A ChatOpenAI for one OpenAI-compatible endpoint, speaking chat completions only.
 * Retries are off here (LangChain's caller and the openai SDK both) because resilience.ts owns the one retry policy.
 *
 * @example
 *   const model = createEndpointModel({ baseUrl: 'http://127.0.0.1:4010/v1', apiKey: 'none', model: 'sim' }, { temperature: 0, timeoutMs: 30_000 });
 */
export function createEndpointModel(endpoint: ModelEndpoint, options: EndpointModelOptions): ChatOpenAI {
  const fields: ChatOpenAIFields = {
    model: endpoint.model,
    apiKey: endpoint.apiKey,
    configuration: { baseURL: endpoint.baseUrl },
    temperature: options.temperature,
    // The SDK timeout is a backstop; the cockatiel timeout policy is the one that normally fires first.
    timeout: options.timeoutMs + 1_000,
    maxRetries: 0,
    streamUsage: true,
    useResponsesApi: false,
  };
  // Same request and response handling, a cheaper transport (see HttpChatCompletions).
  return new ChatOpenAI({ ...fields, completions: new HttpChatCompletions(fields) });
}

const KNOWN_PROVIDERS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)openai\.azure\.com$/, 'azure'],
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)z\.ai$/, 'zai'],
  [/(^|\.)bigmodel\.cn$/, 'zhipu'],
];

/**
 * A low-cardinality provider label for metrics, derived from the base URL
 * (`luminamind_llm_requests_total{provider,…}` must not grow with simulator ports).
 */
/** host[:port] of a base URL, to name an endpoint in errors without its credentials or path. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function providerOf(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'unknown';
  }
  const host = url.hostname.toLowerCase();
  for (const [pattern, name] of KNOWN_PROVIDERS) if (pattern.test(host)) return name;
  if (url.port === '11434') return 'ollama';
  if (host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]') return 'local';
  return host;
}
