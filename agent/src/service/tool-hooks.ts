import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { currentRun } from '../graph/run-context.js';
import type { ToolHooks } from '../graph/tool-adapter.js';
import type { Metrics } from '../observability/metrics.js';
import { MUTATING_TOOLS, type ToolName } from '../tools/index.js';
import { currentRequest } from './request-context.js';
import { rateLimitedResult, type ToolCache, type ToolLimiter } from './tool-guard.js';

export interface ToolHookParts {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly audit: Logger;
  readonly cache: ToolCache;
  readonly limiter: ToolLimiter;
}

function summariseArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v]));
}

/**
 * What the service does around every tool call the agent makes: per-key tool rate limits and the result cache
 * before it; metrics, logs, the audit line of a mutating call and cache upkeep after it; security events counted
 * and audit-logged with the request's key and thread.
 */
export function createToolHooks({ config, metrics, log, audit, cache, limiter }: ToolHookParts): Required<ToolHooks> {
  return {
    onSecurityEvent(event) {
      if (event.type === 'path_traversal') metrics.pathTraversalAttempts.inc({ tool_name: event.tool });
      if (event.type === 'shell_blocked' && event.detail.rule === 'dangerous_pattern') {
        metrics.shellDangerousPatternsBlocked.inc({ pattern: String(event.detail.pattern ?? event.detail.id ?? 'unknown') });
      }
      if (event.type === 'tls_error') metrics.tlsVerificationErrors.inc({ client: 'web' });
      const req = currentRequest();
      audit.warn({ event: event.type, tool: event.tool, detail: event.detail, thread_id: req?.threadId, key_id: req?.keyId, run_id: currentRun()?.runId }, 'security_event');
    },
    async beforeToolCall(call) {
      const req = currentRequest();
      const verdict = await limiter.take(req?.keyId ?? 'internal', call.name);
      if (!verdict.allowed) {
        metrics.rateLimitExceeded.inc({ tool_name: call.name, key_type: 'api_key' });
        audit.warn({ event: 'rate_limited', tool: call.name, key_id: req?.keyId, thread_id: call.threadId, limit: verdict.limit }, 'rate_limited');
        return rateLimitedResult(call.name, verdict.limit, verdict.retryAfterSeconds);
      }
      return cache.get(call.name, call.args, call.threadId);
    },
    onToolCall(call, meta) {
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
      const name = call.name as ToolName;
      if (MUTATING_TOOLS.includes(name)) {
        const approval = req?.decisions?.length ? `decisions:${req.decisions.map((d) => d.type).join(',')}` : `policy:${config.agent.approvalPolicy}`;
        audit.info({ event: 'mutating_tool_call', tool: call.name, args: summariseArgs(call.args), approval, success: !call.error, thread_id: run?.threadId, run_id: run?.runId, key_id: req?.keyId }, 'mutating_tool_call');
        if (!call.error && run) void cache.dropThread(run.threadId).catch(() => undefined);
      } else if (!meta?.shortCircuited && !call.error) {
        void cache.set(name, call.args, run?.threadId, call.output as never).catch(() => undefined);
      }
    },
  };
}
