import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CLAIM_KINDS } from '../contract/grounding.js';

/** Buckets of the original's monitoring guide; dashboards and alerts quantile over exactly these. */
export const REQUEST_DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30];
export const TOOL_DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60];
export const LLM_LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30];
export const CHECKPOINT_SIZE_BUCKETS = [1024, 10240, 102400, 1024000, 10240000];

export type ToolStatus = 'success' | 'error' | 'timeout';
export type LlmStatus = 'success' | 'error' | 'timeout';
export type TokenType = 'input' | 'output';
export type CacheOperation = 'get' | 'set';
export type CacheResult = 'hit' | 'miss';
export type QualityRating = 'good' | 'bad';
export type CheckpointOperation = 'save' | 'load' | 'delete';
export type CheckpointStatus = 'success' | 'error';
/**
 * What kind of bucket a rate limit was counted against. The original's security runbook labels the counter with
 * `user_id`, but its monitoring guide flags user ids as unbounded cardinality: the identity goes to the security
 * audit log instead.
 */
export type RateLimitKeyType = 'thread' | 'api_key' | 'ip';

export interface CreateMetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC); on by default, off for lightweight tests. */
  readonly defaultMetrics?: boolean;
  /** Labels added to every series, e.g. `{ service: 'luminamind' }`. */
  readonly defaultLabels?: Record<string, string>;
  /** Tool names whose counters start at 0, so `increase()` sees a pod's very first failure or attack. */
  readonly toolNames?: readonly string[];
  /** Dangerous-pattern ids of the shell policy, started at 0 for the same reason (that alert fires on > 0). */
  readonly shellPatterns?: readonly string[];
}

/**
 * One registry per service instance, so several servers (and tests) in one process never share series.
 * Names, types, labels and buckets are the original's (metrics.test.ts lists them); alerts and dashboards in deploy/ are tested against them.
 *
 * @example
 *   const metrics = createMetrics();
 *   metrics.toolInvocations.inc({ tool_name: 'shell', status: 'success' });
 *   reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export function createMetrics(options: CreateMetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const metrics = {
    registry,

    requests: new Counter({
      name: 'luminamind_requests_total',
      help: 'HTTP requests served, by route template (never the raw URL) and status code',
      labelNames: ['method', 'endpoint', 'status'] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'luminamind_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template',
      labelNames: ['method', 'endpoint'] as const,
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    }),

    toolInvocations: new Counter({
      name: 'luminamind_tool_invocations_total',
      help: 'Tool runs by outcome: success, error or timeout',
      labelNames: ['tool_name', 'status'] as const,
      registers,
    }),
    toolDuration: new Histogram({
      name: 'luminamind_tool_duration_seconds',
      help: 'Tool run duration in seconds, measured whatever the outcome',
      labelNames: ['tool_name'] as const,
      buckets: TOOL_DURATION_BUCKETS,
      registers,
    }),
    toolErrors: new Counter({
      name: 'luminamind_tool_errors_total',
      help: 'Tool failures by error type (the error code or class name, a bounded set)',
      labelNames: ['tool_name', 'error_type'] as const,
      registers,
    }),

    llmRequests: new Counter({
      name: 'luminamind_llm_requests_total',
      help: 'Model calls by provider, model and outcome: success, error or timeout',
      labelNames: ['provider', 'model', 'status'] as const,
      registers,
    }),
    llmTokens: new Counter({
      name: 'luminamind_llm_tokens_total',
      help: 'Tokens reported by the model, by type: input or output',
      labelNames: ['provider', 'model', 'type'] as const,
      registers,
    }),
    llmLatency: new Histogram({
      name: 'luminamind_llm_latency_seconds',
      help: 'Model call latency in seconds, one observation per attempt',
      labelNames: ['provider', 'model'] as const,
      buckets: LLM_LATENCY_BUCKETS,
      registers,
    }),
    llmCost: new Counter({
      name: 'luminamind_llm_cost_usd',
      help: 'Model spend in US dollars from the configured per-token prices',
      labelNames: ['provider', 'model'] as const,
      registers,
    }),

    cacheOperations: new Counter({
      name: 'luminamind_cache_operations_total',
      help: 'Tool-result cache operations: get (hit or miss) and set',
      labelNames: ['operation', 'result'] as const,
      registers,
    }),
    cacheSizeBytes: new Gauge({
      name: 'luminamind_cache_size_bytes',
      help: 'Approximate bytes held by the tool-result cache',
      registers,
    }),

    responseQuality: new Counter({
      name: 'luminamind_response_quality_total',
      help: 'User feedback on answers by category and rating: good or bad',
      labelNames: ['category', 'rating'] as const,
      registers,
    }),
    accuracyScore: new Gauge({
      name: 'luminamind_accuracy_score',
      help: 'Rolling share of answers rated correct, 0 to 1, by category',
      labelNames: ['category'] as const,
      registers,
    }),
    // Not in the original's guide: the online quality guard's count of claims no tool output supported (hallucinations seen live).
    // `kind` is one of CLAIM_KINDS (agent/src/contract/grounding.ts); each kind's false-alarm rate on consistent answers is
    // measured by `luminamind eval calibrate`, so alert on the kinds that measure precise.
    unsupportedClaims: new Counter({
      name: 'luminamind_unsupported_claims_total',
      help: 'Claims in returned answers that no tool output of the run supports, by kind: number, quote, name, url, path',
      labelNames: ['kind'] as const,
      registers,
    }),

    activeSessions: new Gauge({
      name: 'luminamind_active_sessions',
      help: 'Threads with a run in progress on this instance',
      registers,
    }),
    checkpointOperations: new Counter({
      name: 'luminamind_checkpoint_operations_total',
      help: 'Checkpointer operations by backend and outcome, so silent persistence failures become visible',
      labelNames: ['operation', 'backend', 'status'] as const,
      registers,
    }),
    checkpointSizeBytes: new Histogram({
      name: 'luminamind_checkpoint_size_bytes',
      help: 'Serialised checkpoint size in bytes',
      buckets: CHECKPOINT_SIZE_BUCKETS,
      registers,
    }),
    storeEvictions: new Counter({
      name: 'luminamind_store_evictions_total',
      help: 'Entries dropped by a bounded in-process store (checkpointer threads, tool cache, rate-limit windows, run ids per thread): lru = over its limit, ttl = expired; and thread workspaces removed by the sweep (store workspace, reason orphan: the thread has no state left)',
      labelNames: ['store', 'reason'] as const,
      registers,
    }),

    authFailures: new Counter({
      name: 'auth_failures_total',
      help: 'Rejected API credentials: missing or invalid',
      labelNames: ['reason'] as const,
      registers,
    }),
    pathTraversalAttempts: new Counter({
      name: 'path_traversal_attempts_total',
      help: 'File or shell paths refused by the workspace sandbox',
      labelNames: ['tool_name'] as const,
      registers,
    }),
    rateLimitExceeded: new Counter({
      name: 'rate_limit_exceeded_total',
      help: 'Calls refused by a rate limit, by tool and the kind of key limited (the identity is in the audit log)',
      labelNames: ['tool_name', 'key_type'] as const,
      registers,
    }),
    shellDangerousPatternsBlocked: new Counter({
      name: 'shell_dangerous_patterns_blocked_total',
      help: 'Shell commands refused for matching a dangerous pattern, by pattern id',
      labelNames: ['pattern'] as const,
      registers,
    }),
    tlsVerificationErrors: new Counter({
      name: 'tls_verification_errors_total',
      help: 'Outbound TLS handshakes refused because the certificate did not verify, by client',
      labelNames: ['client'] as const,
      registers,
    }),
  };
  zeroInitialise(metrics, options);
  return metrics;
}

const AUTH_FAILURE_REASONS = ['missing', 'invalid'] as const;
const TLS_CLIENTS = ['web', 'llm'] as const;
const RATE_LIMIT_KEY_TYPES: readonly RateLimitKeyType[] = ['thread', 'api_key', 'ip'];
const TOOL_STATUSES: readonly ToolStatus[] = ['success', 'error', 'timeout'];

// A labelled series appears only at its first increment, which rate()/increase() cannot see; alerts on rare events need the 0.
function zeroInitialise(m: Metrics, options: CreateMetricsOptions): void {
  for (const reason of AUTH_FAILURE_REASONS) m.authFailures.inc({ reason }, 0);
  for (const kind of CLAIM_KINDS) m.unsupportedClaims.inc({ kind }, 0);
  for (const client of TLS_CLIENTS) m.tlsVerificationErrors.inc({ client }, 0);
  for (const result of ['hit', 'miss'] as const) m.cacheOperations.inc({ operation: 'get', result }, 0);
  for (const pattern of options.shellPatterns ?? []) m.shellDangerousPatternsBlocked.inc({ pattern }, 0);
  for (const tool_name of options.toolNames ?? []) {
    for (const status of TOOL_STATUSES) m.toolInvocations.inc({ tool_name, status }, 0);
    m.pathTraversalAttempts.inc({ tool_name }, 0);
    for (const key_type of RATE_LIMIT_KEY_TYPES) m.rateLimitExceeded.inc({ tool_name, key_type }, 0);
  }
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The `monitor_tool` wrapper of the original's monitoring guide: counts the outcome, records the error type and always
 * observes the duration. `classify` lets a tool that returns `{error: true}` as data count as an error.
 */
export async function monitorTool<T>(
  metrics: Metrics,
  toolName: string,
  run: () => Promise<T>,
  classify: (result: T) => { status: ToolStatus; errorType?: string } = () => ({ status: 'success' }),
): Promise<T> {
  const stop = metrics.toolDuration.startTimer({ tool_name: toolName });
  try {
    const result = await run();
    const { status, errorType } = classify(result);
    metrics.toolInvocations.inc({ tool_name: toolName, status });
    if (status !== 'success') metrics.toolErrors.inc({ tool_name: toolName, error_type: errorType ?? status });
    return result;
  } catch (err) {
    const errorType = errorTypeOf(err);
    const status: ToolStatus = /timeout/i.test(errorType) ? 'timeout' : 'error';
    metrics.toolInvocations.inc({ tool_name: toolName, status });
    metrics.toolErrors.inc({ tool_name: toolName, error_type: errorType });
    throw err;
  } finally {
    stop();
  }
}

/** A bounded label value: the error's code (fastify-style) or its class name, never its message. */
export function errorTypeOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(name)) return name;
  }
  return 'Error';
}
