import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelParams,
  type BindToolsInput,
  type LangSmithParams,
} from '@langchain/core/language_models/chat_models';
import type { ModelProfile } from '@langchain/core/language_models/profile';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk, ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool, isLangChainTool } from '@langchain/core/utils/function_calling';
import type { Span } from '@opentelemetry/api';
import type { ChatOpenAI, ChatOpenAICallOptions } from '@langchain/openai';
import { CircuitOpenError, ModelRejectedError, ModelUnavailableError } from '../errors.js';
import { errorCodeOf, markSpanError, startSpan } from '../observability/tracing.js';
import type { EndpointRole } from './endpoint.js';
import {
  PartialResponseError,
  isBrokenCircuit,
  isTimeoutError,
  isTransientError,
  messageOf,
  type BreakerSnapshot,
  type EndpointPolicy,
} from './resilience.js';
import { LLM_CALL_EVENT, costUsd, type LlmCallRecord, type LlmCallStatus, type Pricing } from './usage.js';

/** One configured endpoint: its client, its own policy (breaker state lives here) and its metric labels. */
export interface ResilientEndpoint {
  readonly role: EndpointRole;
  readonly provider: string;
  readonly model: string;
  /** host[:port] of the endpoint's base URL, for error messages (never credentials or the path). */
  readonly host?: string;
  readonly client: ChatOpenAI;
  readonly policy: EndpointPolicy;
}

export interface EndpointHealth extends BreakerSnapshot {
  readonly provider: string;
  readonly model: string;
}

export interface ResilientChatModelFields extends BaseChatModelParams {
  readonly primary: ResilientEndpoint;
  readonly fallback?: ResilientEndpoint;
  readonly pricing: Pricing;
  readonly temperature?: number;
  /** Called once per endpoint call (after its retries); for metrics. Exceptions it throws are swallowed. */
  readonly onCall?: (call: LlmCallRecord) => void;
}

/** The call options of ChatOpenAI (tools, tool_choice, strict, response_format, …), passed through unchanged. */
export type ResilientChatModelCallOptions = ChatOpenAICallOptions;

interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0 };

// A LangChain tool's OpenAI function definition, made once per tool object: the agent binds its tools again before
// every model call, and ChatOpenAI would convert each one's zod schema to JSON schema on every call (~35 µs for the
// agent's 19 tools). ChatOpenAI passes a function definition through (adding `strict` to a copy when set), so the
// wire body is the same. Custom (freeform) tools are left to ChatOpenAI.
const openAIFunctionOf = new WeakMap<object, ReturnType<typeof convertToOpenAITool>>();

function asOpenAIFunction(tool: BindToolsInput): BindToolsInput {
  if (!isLangChainTool(tool) || (tool as { metadata?: { customTool?: unknown } }).metadata?.customTool !== undefined) return tool;
  let definition = openAIFunctionOf.get(tool);
  if (!definition) openAIFunctionOf.set(tool, (definition = convertToOpenAITool(tool)));
  return definition;
}

/** 401/403/404 mean this endpoint cannot serve (key, permission, model name): another endpoint may. */
const ENDPOINT_FAULT_STATUS = new Set([401, 403, 404]);

function httpStatusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : undefined;
}

/** The HTTP status and error body fields (code, message, and any extra such as a simulator's `nearest`) of an endpoint's error answer. */
function upstreamOf(err: unknown): ({ status: number } & Record<string, unknown>) | undefined {
  const status = httpStatusOf(err);
  if (status === undefined) return undefined;
  const body = (err as { error?: unknown }).error;
  return { ...(body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}), status };
}

function statusOf(error: unknown): LlmCallStatus {
  if (isBrokenCircuit(error)) return 'circuit_open';
  return isTimeoutError(error instanceof PartialResponseError ? error.cause : error) ? 'timeout' : 'error';
}

/** Errors that say the endpoint (not the request) is at fault, so the fallback should get a chance. */
function shouldFallBack(err: unknown): boolean {
  if (isBrokenCircuit(err) || isTransientError(err)) return true;
  const status = httpStatusOf(err);
  return status !== undefined && ENDPOINT_FAULT_STATUS.has(status);
}

function usageOfMessage(message: BaseMessage | undefined): TokenUsage | undefined {
  if (!message || !(AIMessage.isInstance(message) || AIMessageChunk.isInstance(message))) return undefined;
  const usage = message.usage_metadata;
  return usage ? { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 } : undefined;
}

function usageOfResult(result: ChatResult): TokenUsage {
  const fromMessage = usageOfMessage(result.generations[0]?.message);
  if (fromMessage) return fromMessage;
  const tokenUsage = (result.llmOutput as { tokenUsage?: { promptTokens?: number; completionTokens?: number } } | undefined)?.tokenUsage;
  return { inputTokens: tokenUsage?.promptTokens ?? 0, outputTokens: tokenUsage?.completionTokens ?? 0 };
}

function toChunk(message: BaseMessage): AIMessageChunk {
  if (AIMessageChunk.isInstance(message)) return message;
  const ai = message as AIMessage;
  return new AIMessageChunk({
    content: ai.content,
    ...(ai.id === undefined ? {} : { id: ai.id }),
    tool_calls: ai.tool_calls ?? [],
    invalid_tool_calls: ai.invalid_tool_calls ?? [],
    additional_kwargs: ai.additional_kwargs,
    response_metadata: ai.response_metadata,
    ...(ai.usage_metadata ? { usage_metadata: ai.usage_metadata } : {}),
  });
}

/** An unbounded single-consumer queue: lets a stream run inside a policy callback while the generator yields it. */
class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #done = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#signal();
  }

  close(): void {
    this.#done = true;
    this.#signal();
  }

  fail(error: unknown): void {
    this.#failure = { error };
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.#items.length > 0) yield this.#items.shift() as T;
      else if (this.#failure) throw this.#failure.error;
      else if (this.#done) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/**
 * One chat model for the agent graph: each call goes to the primary endpoint through its retry/breaker/timeout
 * policy and, when the endpoint is at fault (retries exhausted, breaker open, auth/model errors), to the fallback.
 * Request errors (400, context overflow, …) are rethrown unchanged so LangChain middleware still sees them.
 * Works with createAgent: bindTools binds call options that both endpoints receive, and streaming is native.
 *
 * @example
 *   const model = createChatModel(config, { onCall: (c) => metrics.observe(c) });
 *   const agent = createAgent({ model, tools });
 */
export class ResilientChatModel extends BaseChatModel<ResilientChatModelCallOptions, AIMessageChunk> {
  readonly #endpoints: readonly ResilientEndpoint[];
  readonly #pricing: Pricing;
  readonly #temperature: number | undefined;
  readonly #onCall: ((call: LlmCallRecord) => void) | undefined;

  static override lc_name(): string {
    return 'ResilientChatModel';
  }

  constructor(fields: ResilientChatModelFields) {
    const { primary, fallback, pricing, temperature, onCall, ...base } = fields;
    super(base);
    this.#endpoints = fallback ? [primary, fallback] : [primary];
    this.#pricing = pricing;
    this.#temperature = temperature;
    this.#onCall = onCall;
  }

  _llmType(): string {
    return 'luminamind-resilient';
  }

  /** The primary's model name, for tracing and for code that reads `model.model`. */
  get model(): string {
    return this.#primary.model;
  }

  get #primary(): ResilientEndpoint {
    return this.#endpoints[0] as ResilientEndpoint;
  }

  /** The primary's capabilities (context window, tool calling…), which summarization middleware reads. */
  override get profile(): ModelProfile {
    return this.#primary.client.profile;
  }

  override getLsParams(options: this['ParsedCallOptions']): LangSmithParams {
    return {
      ls_provider: this.#primary.provider,
      ls_model_name: this.#primary.model,
      ls_model_type: 'chat',
      ls_temperature: this.#temperature,
      ls_stop: options.stop,
    };
  }

  override invocationParams(options?: this['ParsedCallOptions']): ReturnType<ChatOpenAI['invocationParams']> {
    return this.#primary.client.invocationParams(options);
  }

  /** Binds tools as call options, so whichever endpoint answers gets the same tools and tool_choice. */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ResilientChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ResilientChatModelCallOptions> {
    return this.withConfig({ ...kwargs, tools: tools.map(asOpenAIFunction) as ResilientChatModelCallOptions['tools'] });
  }

  /**
   * LangChain's generic structured output (a forced tool call), with one fix: its parser wants an AIMessageChunk
   * while ChatOpenAI answers an AIMessage, so bound calls here return chunks.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one signature standing in for BaseChatModel's six overloads
  override withStructuredOutput(outputSchema: any, config?: any): any {
    const asChunks = Object.create(this) as this;
    asChunks.bindTools = (tools, kwargs) => {
      const name = (tools[0] as { function?: { name?: string } } | undefined)?.function?.name;
      return this.bindTools(tools, { ...kwargs, ...(name ? { tool_choice: name } : {}) }).pipe((message: BaseMessage) => toChunk(message));
    };
    return super.withStructuredOutput.call(asChunks, outputSchema, config);
  }

  /** Breaker state per configured endpoint, for /ready and dashboards. */
  breakerStates(): Partial<Record<EndpointRole, EndpointHealth>> {
    return Object.fromEntries(
      this.#endpoints.map((e) => [e.role, { provider: e.provider, model: e.model, ...e.policy.snapshot() } satisfies EndpointHealth]),
    );
  }

  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    return this.#run(runManager, options.signal, false, () => false, async (endpoint, signal) => {
      const result = await endpoint.client._generate(messages, { ...options, signal }, undefined);
      return { value: result, usage: usageOfResult(result) };
    });
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const channel = new Channel<ChatGenerationChunk>();
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let emitted = false;
    const done = this.#run(runManager, signal, true, () => emitted, async (endpoint, attemptSignal) => {
      let usage = NO_USAGE;
      for await (const chunk of endpoint.client._streamResponseChunks(messages, { ...options, signal: attemptSignal }, undefined)) {
        // A timed-out attempt must not leak chunks after the policy has given up on it.
        if (attemptSignal.aborted) break;
        usage = usageOfMessage(chunk.message) ?? usage;
        emitted = true;
        channel.push(chunk);
      }
      attemptSignal.throwIfAborted();
      return { value: undefined, usage };
    });
    done.then(
      () => channel.close(),
      (err: unknown) => channel.fail(err),
    );
    try {
      for await (const chunk of channel) {
        yield chunk;
        const info = chunk.generationInfo as { prompt?: number; completion?: number } | undefined;
        await runManager?.handleLLMNewToken(chunk.text ?? '', { prompt: info?.prompt ?? 0, completion: info?.completion ?? 0 }, undefined, undefined, undefined, {
          chunk,
        });
      }
    } finally {
      // The consumer stopped early (or we are done): cancel whatever is still running.
      stop.abort();
    }
  }

  async #run<T>(
    runManager: CallbackManagerForLLMRun | undefined,
    signal: AbortSignal | undefined,
    streamed: boolean,
    committed: () => boolean,
    task: (endpoint: ResilientEndpoint, signal: AbortSignal) => Promise<{ value: T; usage: TokenUsage }>,
  ): Promise<T> {
    const failures: Array<{ endpoint: ResilientEndpoint; error: unknown }> = [];
    for (const endpoint of this.#endpoints) {
      const started = performance.now();
      const span = startSpan('llm_call', { provider: endpoint.provider, model: endpoint.model, endpoint: endpoint.role, streamed });
      let attempts = 0;
      let lastAttemptError: unknown;
      try {
        const { value, usage } = await endpoint.policy.execute(
          (attemptSignal) => {
            attempts++;
            return task(endpoint, attemptSignal);
          },
          { signal, committed, onAttemptFailure: (err) => (lastAttemptError = err) },
        );
        await this.#report(runManager, endpoint, { status: 'success', started, attempts, usage, streamed, span });
        return value;
      } catch (thrown) {
        // When the breaker opens mid-call it refuses the next retry; the attempt that failed is the real story.
        const error = isBrokenCircuit(thrown) && attempts > 0 ? lastAttemptError : thrown;
        const status = signal?.aborted ? 'cancelled' : statusOf(error);
        await this.#report(runManager, endpoint, { status, started, attempts, usage: NO_USAGE, streamed, error: messageOf(error), span, errorCode: errorCodeOf(error) });
        if (status === 'cancelled' || !(error instanceof PartialResponseError || shouldFallBack(error))) throw error;
        failures.push({ endpoint, error });
        // Part of the answer already reached the consumer; a second model's answer cannot be appended to it.
        if (error instanceof PartialResponseError) break;
      }
    }
    throw this.#unavailable(failures);
  }

  #unavailable(failures: ReadonlyArray<{ endpoint: ResilientEndpoint; error: unknown }>): Error {
    const last = failures[failures.length - 1];
    if (failures.length === 1 && last && this.#endpoints.length === 1 && isBrokenCircuit(last.error)) {
      return new CircuitOpenError(last.endpoint.model, last.endpoint.policy.snapshot().retryAfterMs ?? 0, { cause: last.error });
    }
    const summary = failures
      .map(({ endpoint, error }) => `${endpoint.role} ${endpoint.model} at ${endpoint.host ?? endpoint.provider}: ${isBrokenCircuit(error) ? 'circuit open' : messageOf(error)}`)
      .join('; ');
    const upstream = upstreamOf(last?.error);
    const details = { endpoints: failures.map(({ endpoint }) => endpoint.host ?? endpoint.provider), ...(upstream ? { upstream } : {}) };
    // An endpoint that answered 4xx is reachable and refused this call (no cassette, bad key, unknown model): a 502, not "unavailable".
    const rejected = upstream !== undefined && upstream.status < 500 && !isTransientError(last?.error);
    return Object.assign(rejected ? new ModelRejectedError(summary, { cause: last?.error }) : new ModelUnavailableError(summary, { cause: last?.error }), details);
  }

  async #report(
    runManager: CallbackManagerForLLMRun | undefined,
    endpoint: ResilientEndpoint,
    call: { status: LlmCallStatus; started: number; attempts: number; usage: TokenUsage; streamed: boolean; error?: string; span?: Span; errorCode?: string },
  ): Promise<void> {
    const record: LlmCallRecord = {
      provider: endpoint.provider,
      model: endpoint.model,
      endpoint: endpoint.role,
      status: call.status,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      costUsd: costUsd(this.#pricing, call.usage.inputTokens, call.usage.outputTokens),
      latencyMs: Math.round(performance.now() - call.started),
      attempts: call.attempts,
      streamed: call.streamed,
      ...(call.error === undefined ? {} : { error: call.error }),
    };
    if (call.span) {
      call.span.setAttributes({ status: record.status, attempts: record.attempts, input_tokens: record.inputTokens, output_tokens: record.outputTokens, latency_ms: record.latencyMs });
      // A timeout or an open breaker is its own code; otherwise the error's (HTTP status, AGT_ERR_…).
      if (record.status !== 'success') markSpanError(call.span, record.status === 'error' ? (call.errorCode ?? 'error') : record.status);
      call.span.end();
    }
    try {
      this.#onCall?.(record);
    } catch {
      // A metrics hook must never fail a model call.
    }
    await runManager?.handleCustomEvent(LLM_CALL_EVENT, record);
  }
}
