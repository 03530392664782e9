import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.js';
import { AnswerRejectedError, RateLimitedError, RequestInvalidError, ShuttingDownError, ThreadBusyError } from './errors.js';
import { buildAgent, type LuminaAgent } from './graph/agent.js';
import { currentRun, recordModelUsage } from './graph/run-context.js';
import { createChatModel, type ResilientChatModel } from './llm/index.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { checkAnswer, groundAgainstRun, type GroundingCheck } from './service/answer-guard.js';
import { assertAuthConfig, createAuthHook } from './plugins/auth.js';
import { createServiceCheckpointer } from './service/checkpointer.js';
import { registerErrorHandling } from './plugins/error-envelope.js';
import { registerHttpTracing } from './plugins/http-tracing.js';
import { createLogger } from './observability/logging.js';
import { createReadinessChecks } from './service/readiness.js';
import { currentRequest, withRequestContext } from './service/request-context.js';
import { toChatResponse, type Service, type ServiceCheckpointer } from './service/service.js';
import { createToolCache, createToolLimiter, rateLimitedResult } from './service/tool-guard.js';
import { registerApprovalsRoute } from './routes/approvals.js';
import { registerChatRoute } from './routes/chat.js';
import { registerFeedbackRoute } from './routes/feedback.js';
import { registerHealthRoute } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerReadyRoute } from './routes/ready.js';
import { registerThreadDeleteRoute } from './routes/thread-delete.js';
import { registerThreadHistoryRoute } from './routes/thread-history.js';
import { MUTATING_TOOLS, TOOL_NAMES } from './tools/index.js';
import { sandboxNotice, sandboxStatus } from './tools/shell/sandbox.js';
import { BLOCKED_PATTERNS } from './tools/shell/syntax.js';
import type { SecurityEvent } from './tools/support/types.js';

export interface ServerDeps {
  /** The agent; built from config (resilient model + the checkpointer below) when omitted. */
  readonly agent?: LuminaAgent;
  /** The model behind the agent, for /ready's breaker check; created from config when the agent is too. */
  readonly model?: ResilientChatModel;
  /** The checkpointer; the store's (Redis over `redis`, else in-memory, reported as degraded) when omitted. */
  readonly checkpointer?: ServiceCheckpointer;
  /** Shared Redis for edge rate limits, tool limits and the tool cache; no Redis means in-process twins. */
  readonly redis?: Redis;
  readonly metrics?: Metrics;
  /** Where JSON log lines go (tests capture them); stdout by default. */
  readonly logStream?: DestinationStream;
  readonly logger?: Logger;
  /** The deterministic grounding check giving `confidence`; the shared contract/grounding.ts check by default. */
  readonly grounding?: GroundingCheck;
  /** Closed with the server (main.ts hands over what it opened). */
  readonly closeables?: readonly (() => Promise<void>)[];
}

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const API_VERSION = '1.0.0';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The HTTP service (routes, auth, rate limits, metrics; see README "The service") as a fastify instance that never listens: main.ts listens, tests inject.
 *
 * @example
 *   const app = await buildServer(config, { checkpointer });
 *   const res = await app.inject({ method: 'POST', url: '/v1/chat', payload: { message: 'hi' }, headers });
 */
export async function buildServer(config: Config, deps: ServerDeps = {}): Promise<FastifyInstance> {
  assertAuthConfig(config);
  const root = deps.logger ?? createLogger(config, { stream: deps.logStream });
  const log = root.child({ logger: 'luminamind' });
  const audit = root.child({ logger: 'security' });
  const metrics = deps.metrics ?? createMetrics({ toolNames: TOOL_NAMES, shellPatterns: BLOCKED_PATTERNS.map((b) => b.name) });
  const redis = deps.redis;
  const checkpointer: ServiceCheckpointer = deps.checkpointer ?? createServiceCheckpointer(config, { metrics, log, redis });
  const cache = createToolCache(config, metrics, redis);
  const limiter = createToolLimiter(config, redis, metrics);

  if (config.server.auth === 'none') {
    log.warn({ event: 'auth_disabled', host: config.server.host }, 'AUTH=none: API authentication is DISABLED (allowed on loopback only)');
    audit.warn({ event: 'auth_disabled', host: config.server.host }, 'auth_disabled');
  }
  const sandbox = await sandboxStatus(config.tools.shell.sandbox);
  const notice = sandboxNotice(sandbox);
  log[notice.level]({ event: 'sandbox', sandbox: sandbox.state, mode: sandbox.mode, detail: sandbox.detail }, notice.message);
  if (!sandbox.confined) audit.warn({ event: `sandbox_${sandbox.state}`, mode: sandbox.mode, detail: sandbox.detail }, 'sandbox_not_confining');

  const onSecurityEvent = (event: SecurityEvent) => {
    if (event.type === 'path_traversal') metrics.pathTraversalAttempts.inc({ tool_name: event.tool });
    if (event.type === 'shell_blocked' && event.detail.rule === 'dangerous_pattern') {
      metrics.shellDangerousPatternsBlocked.inc({ pattern: String(event.detail.pattern ?? event.detail.id ?? 'unknown') });
    }
    if (event.type === 'tls_error') metrics.tlsVerificationErrors.inc({ client: 'web' });
    const req = currentRequest();
    audit.warn({ event: event.type, tool: event.tool, detail: event.detail, thread_id: req?.threadId, key_id: req?.keyId, run_id: currentRun()?.runId }, 'security_event');
  };

  const hooks = {
    onSecurityEvent,
    async beforeToolCall(call: { name: (typeof TOOL_NAMES)[number]; args: Record<string, unknown>; threadId?: string }) {
      const req = currentRequest();
      const verdict = await limiter.take(req?.keyId ?? 'internal', call.name);
      if (!verdict.allowed) {
        metrics.rateLimitExceeded.inc({ tool_name: call.name, key_type: 'api_key' });
        audit.warn({ event: 'rate_limited', tool: call.name, key_id: req?.keyId, thread_id: call.threadId, limit: verdict.limit }, 'rate_limited');
        return rateLimitedResult(call.name, verdict.limit, verdict.retryAfterSeconds);
      }
      return cache.get(call.name, call.args, call.threadId);
    },
    onToolCall(call: Parameters<NonNullable<import('./graph/tool-adapter.js').ToolHooks['onToolCall']>>[0], meta?: { shortCircuited: boolean }) {
      const req = currentRequest();
      const run = currentRun();
      const output = call.output as { code?: unknown } | string | undefined;
      const errorType = call.error ? String((typeof output === 'object' && output?.code) || 'tool_error') : undefined;
      const status = call.error ? (/timeout/i.test(errorType ?? '') ? 'timeout' : 'error') : 'success';
      metrics.toolInvocations.inc({ tool_name: call.name, status });
      metrics.toolDuration.observe({ tool_name: call.name }, call.durationMs / 1000);
      if (errorType) metrics.toolErrors.inc({ tool_name: call.name, error_type: errorType });
      const logFields = { tool_name: call.name, thread_id: run?.threadId, run_id: run?.runId, duration_ms: call.durationMs, cache_hit: Boolean(meta?.shortCircuited && !call.error), success: !call.error };
      (req?.log ?? log).info(logFields, call.error ? 'tool_execution_failed' : 'tool_executed');
      const name = call.name as (typeof TOOL_NAMES)[number];
      if (MUTATING_TOOLS.includes(name)) {
        const approval = req?.decisions?.length ? `decisions:${req.decisions.map((d) => d.type).join(',')}` : `policy:${config.agent.approvalPolicy}`;
        audit.info({ event: 'mutating_tool_call', tool: call.name, args: summariseArgs(call.args), approval, success: !call.error, thread_id: run?.threadId, run_id: run?.runId, key_id: req?.keyId }, 'mutating_tool_call');
        if (!call.error && run) void cache.dropThread(run.threadId).catch(() => undefined);
      } else if (!meta?.shortCircuited && !call.error) {
        void cache.set(name, call.args, run?.threadId, call.output as never).catch(() => undefined);
      }
    },
  };

  let model = deps.model;
  let agent = deps.agent;
  if (!agent) {
    model ??= createChatModel(config, {
      onCall: (c) => {
        recordModelUsage(c);
        metrics.llmRequests.inc({ provider: c.provider, model: c.model, status: c.status });
        metrics.llmTokens.inc({ provider: c.provider, model: c.model, type: 'input' }, c.inputTokens);
        metrics.llmTokens.inc({ provider: c.provider, model: c.model, type: 'output' }, c.outputTokens);
        metrics.llmCost.inc({ provider: c.provider, model: c.model }, c.costUsd);
        metrics.llmLatency.observe({ provider: c.provider, model: c.model }, c.latencyMs / 1000);
        if (c.status !== 'success') log.warn({ provider: c.provider, model: c.model, status: c.status, attempts: c.attempts }, 'llm_call_failed');
      },
      onBreakerChange: (change) => log.warn({ ...change }, 'llm_breaker_change'),
    });
    agent = buildAgent(config, { ...hooks, model, checkpointer });
  }

  const busy = new Set<string>();
  const running = new Set<AbortController>();
  let draining = false;

  const service: Service = {
    config,
    agent,
    checkpointer,
    redis,
    metrics,
    log,
    audit,
    cache,
    grounding: deps.grounding ?? groundAgainstRun,
    readiness: createReadinessChecks(config, { model, redis, checkpointer }),
    get draining() {
      return draining;
    },
    beginDrain() {
      draining = true;
    },
    abortAll(reason) {
      for (const controller of running) controller.abort(new Error(reason));
    },
    inFlight: () => running.size,
    inFlightThreads: () => busy,
    async execute(input, ctx) {
      if (draining) throw new ShuttingDownError();
      if (busy.has(input.threadId)) throw new ThreadBusyError(input.threadId);
      busy.add(input.threadId);
      const controller = new AbortController();
      running.add(controller);
      metrics.activeSessions.inc();
      const started = performance.now();
      try {
        const result = await withRequestContext({ keyId: ctx.keyId, threadId: input.threadId, log: ctx.log, decisions: ctx.decisions }, () =>
          agent.run({ ...input, signal: controller.signal, onEvent: ctx.onEvent, onToken: ctx.onToken }),
        );
        let confidence = 1;
        if (result.status === 'completed') {
          const verdict = checkAnswer(result.answer, result.toolCalls, service.grounding, input.message);
          if (!verdict.ok) {
            ctx.log.warn({ thread_id: result.threadId, run_id: result.runId, reason: verdict.reason }, 'answer_rejected');
            throw new AnswerRejectedError(verdict.reason ?? 'invalid');
          }
          confidence = verdict.confidence;
          for (const claim of verdict.unsupported) metrics.unsupportedClaims.inc({ kind: claim.split(':')[0] ?? 'claim' });
        }
        ctx.log.info(
          { thread_id: result.threadId, run_id: result.runId, status: result.status, duration_ms: Math.round(performance.now() - started), tool_calls: result.toolCalls.length, confidence, tokens: result.usage.inputTokens + result.usage.outputTokens },
          'run_completed',
        );
        return toChatResponse(result, confidence);
      } catch (err) {
        if (err instanceof TypeError && /thread id|needs a message/.test(err.message)) throw new RequestInvalidError(err.message);
        // Aborted by the shutdown deadline: the client should retry on another replica.
        if (controller.signal.aborted) throw new ShuttingDownError();
        throw err;
      } finally {
        busy.delete(input.threadId);
        running.delete(controller);
        metrics.activeSessions.dec();
      }
    },
  };

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Long path params reach schema validation (a documented 400) instead of the router's bare 414.
    routerOptions: { maxParamLength: 2048 },
    // Strict validation: unknown fields are errors, and "1" is not a number (ajv would coerce and strip by default).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  });
  app.decorate('luminamind', service);
  // JSON only: a text/plain body is a client mistake (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  registerHttpTracing(app);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While draining, keep-alive sockets would hold close() open until their idle timeout; end them with the reply.
    if (draining) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const endpoint = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, endpoint, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: request.method, endpoint }, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => {
    for (const close of deps.closeables ?? []) await close().catch((err: unknown) => log.warn({ err }, 'close_failed'));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'LuminaMind agent service', version: API_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  registerHealthRoute(app);
  registerReadyRoute(app, service);
  registerMetricsRoute(app, metrics);

  await app.register(async (v1) => {
    v1.addHook('onRequest', createAuthHook(config, metrics, audit));
    await v1.register(rateLimit, {
      max: config.server.requestsPerMinute,
      timeWindow: 60_000,
      hook: 'preParsing',
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
      nameSpace: 'lm:rl:edge:',
      ...(redis ? { redis } : {}),
      // Fail open at the edge: a Redis outage must not take the API down; tool limits fall back to local windows.
      skipOnError: true,
      onExceeded: (request) => {
        metrics.rateLimitExceeded.inc({ tool_name: 'http', key_type: request.principal ? 'api_key' : 'ip' });
        audit.warn({ event: 'rate_limited', scope: 'http', key_id: request.principal?.keyId, reqId: request.id }, 'rate_limited');
      },
      errorResponseBuilder: (_request, context) => {
        const err = new RateLimitedError(`${context.max} requests per minute per API key; retry after ${Math.ceil(context.ttl / 1000)} s`);
        return Object.assign(err, { statusCode: 429 });
      },
    });
    registerChatRoute(v1, service);
    registerApprovalsRoute(v1, service);
    registerThreadHistoryRoute(v1, service);
    registerThreadDeleteRoute(v1, service);
    registerFeedbackRoute(v1, service);
  });
  return app;
}

function summariseArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v]));
}

declare module 'fastify' {
  interface FastifyInstance {
    luminamind: Service;
  }
}
