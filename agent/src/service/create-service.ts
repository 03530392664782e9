import type { Redis } from 'ioredis';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from '../config.js';
import { AnswerRejectedError, RequestInvalidError, ShuttingDownError, ThreadBusyError } from '../errors.js';
import { buildAgent, type LuminaAgent } from '../graph/agent.js';
import { recordModelUsage } from '../graph/run-context.js';
import { createChatModel, type ResilientChatModel } from '../llm/index.js';
import { secretsOf } from '../observability/logging.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { TOOL_NAMES } from '../tools/index.js';
import { sandboxNotice, sandboxStatus } from '../tools/shell/sandbox.js';
import { BLOCKED_PATTERNS } from '../tools/shell/syntax.js';
import { checkAnswer, groundAgainstRun, type GroundingCheck } from './answer-guard.js';
import { createServiceCheckpointer } from './checkpointer.js';
import { createReadinessChecks } from './readiness.js';
import type { RequestContext } from './request-context.js';
import { createRunRegistry } from './run-registry.js';
import { toChatResponse, type Service, type ServiceCheckpointer } from './service.js';
import { createToolHooks } from './tool-hooks.js';
import { createToolCache, createToolLimiter } from './tool-guard.js';
import { startWorkspaceReaper } from './workspace-reaper.js';

export interface ServiceDeps {
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

/** The model from config, its calls counted in the llm_* metrics and failures logged. */
function createServiceModel(config: Config, metrics: Metrics, log: Logger): ResilientChatModel {
  return createChatModel(config, {
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
}

/** Says at start what would surprise an operator later: no API authentication, no tool sandbox. */
async function announceRisks(config: Config, log: Logger, audit: Logger): Promise<void> {
  if (config.server.auth === 'none') {
    log.warn({ event: 'auth_disabled', host: config.server.host }, 'AUTH=none: API authentication is DISABLED (allowed on loopback only)');
    audit.warn({ event: 'auth_disabled', host: config.server.host }, 'auth_disabled');
  }
  const sandbox = await sandboxStatus(config.tools.shell.sandbox);
  const notice = sandboxNotice(sandbox);
  log[notice.level]({ event: 'sandbox', sandbox: sandbox.state, mode: sandbox.mode, detail: sandbox.detail }, notice.message);
  if (!sandbox.confined) audit.warn({ event: `sandbox_${sandbox.state}`, mode: sandbox.mode, detail: sandbox.detail }, 'sandbox_not_confining');
}

/**
 * Everything the HTTP layer serves, without HTTP: the agent with its tool hooks, the checkpointer, limits and cache,
 * readiness probes, and `execute` (thread lock, abort on shutdown, answer guard, metrics and logs around one run).
 */
export async function createService(config: Config, deps: ServiceDeps, root: Logger): Promise<Service> {
  const log = root.child({ logger: 'luminamind' });
  const audit = root.child({ logger: 'security' });
  const metrics = deps.metrics ?? createMetrics({ toolNames: TOOL_NAMES, shellPatterns: BLOCKED_PATTERNS.map((b) => b.name) });
  const redis = deps.redis;
  const checkpointer = deps.checkpointer ?? createServiceCheckpointer(config, { metrics, log, redis });
  const cache = createToolCache(config, metrics, redis);
  const limiter = createToolLimiter(config, redis, metrics);
  const runs = createRunRegistry(config, redis, metrics);
  await announceRisks(config, log, audit);

  let model = deps.model;
  let agent = deps.agent;
  if (!agent) {
    model ??= createServiceModel(config, metrics, log);
    agent = buildAgent(config, { ...createToolHooks({ config, metrics, log, audit, cache, limiter }), model, checkpointer });
  }
  const runAgent = agent;
  const busy = new Set<string>();
  const running = new Set<AbortController>();
  let draining = false;
  const sweepMs = config.tools.workspaceSweepSeconds * 1000;
  const workspaces = startWorkspaceReaper({
    workspaceRoot: config.tools.workspaceRoot,
    graceMs: sweepMs,
    intervalMs: sweepMs,
    hasThread: (threadId) =>
      checkpointer.hasThread?.(threadId) ?? checkpointer.getTuple({ configurable: { thread_id: threadId } }).then((tuple) => tuple !== undefined),
    inFlight: () => busy,
    onRemoved: () => metrics.storeEvictions.inc({ store: 'workspace', reason: 'orphan' }),
    onError: (err) => log.warn({ err: { message: err.message } }, 'workspace_sweep_failed'),
  });

  const service: Service = {
    config,
    agent: runAgent,
    checkpointer,
    redis,
    metrics,
    log,
    audit,
    cache,
    runs,
    workspaces,
    secrets: secretsOf(config),
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
        const request: RequestContext = { keyId: ctx.keyId, threadId: input.threadId, log: ctx.log, decisions: ctx.decisions };
        const result = await runAgent.run({ ...input, signal: controller.signal, onEvent: ctx.onEvent, onToken: ctx.onToken, request });
        // A lost record only costs that run its feedback; it must not fail the answer.
        await runs.record(result.threadId, result.runId).catch((err: unknown) => ctx.log.warn({ err: { message: (err as Error).message } }, 'run_record_failed'));
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
  return service;
}
