import { tool, type StructuredTool } from 'langchain';
import type { Config } from '../config.js';
import { runTool, tools as registry, type ToolName } from '../tools/index.js';
import { isToolError, type SecurityEvent, type ToolResult } from '../tools/support/types.js';
import type { ToolCallRecord } from '../contract/run.js';
import { markSpanError, withSpan } from '../observability/tracing.js';
import { currentRun } from './run-context.js';

export interface ToolHooks {
  /** Called after every tool call with its outcome (the service turns it into metrics and audit logs). */
  onToolCall?: (call: ToolCallRecord, meta?: { shortCircuited: boolean }) => void;
  onSecurityEvent?: (event: SecurityEvent) => void;
  /** Runs before a tool; a returned result (a rate-limit refusal, a cached output) is used instead of running it. */
  beforeToolCall?: (call: { name: ToolName; args: Record<string, unknown>; threadId?: string; workspaceRoot: string }) =>
    | Promise<ToolResult | undefined>
    | ToolResult
    | undefined;
}

/** What the model reads back: strings as they are, objects as JSON. */
export function toolResultText(result: ToolResult): string {
  return typeof result === 'string' ? result : JSON.stringify(result);
}

/**
 * Wraps one of our tools as a LangChain tool. Workspace and run come from the current run context, so the
 * same tool objects serve every thread; validation, sandboxing and limits stay inside `runTool`.
 */
export function toLangChainTool(name: ToolName, config: Config, hooks: ToolHooks): StructuredTool {
  const def = registry[name];
  return tool(
    (input: unknown, runConfig) =>
      // Arguments and outputs stay out of the span: they can hold file contents, commands and secrets.
      withSpan('tool_execution', { tool_name: name }, async (span) => {
        const run = currentRun();
        const call: ToolCallRecord = {
          id: runConfig?.toolCall?.id,
          name,
          args: (input ?? {}) as Record<string, unknown>,
          output: undefined,
          error: false,
          durationMs: 0,
        };
        run?.emit?.({ type: 'tool_start', call });
        const started = performance.now();
        const workspaceRoot = run?.workspaceRoot ?? config.tools.workspaceRoot;
        const early = await hooks.beforeToolCall?.({ name, args: call.args, threadId: run?.threadId, workspaceRoot });
        const result =
          early ??
          (await runTool(name, input, {
            workspaceRoot,
            config,
            signal: runConfig?.signal,
            onSecurityEvent: hooks.onSecurityEvent,
          }));
        call.durationMs = Math.round(performance.now() - started);
        call.output = result;
        call.error = isToolError(result);
        run?.toolCalls.push(call);
        run?.emit?.({ type: 'tool_end', call });
        hooks.onToolCall?.(call, { shortCircuited: early !== undefined });
        if (span) {
          const code = call.error ? ((result as { code?: string }).code ?? 'tool_error') : undefined;
          span.setAttributes({ status: code ? (/timeout/i.test(code) ? 'timeout' : 'error') : 'success', duration_ms: call.durationMs, error: call.error, cache_hit: early !== undefined && !call.error });
          if (code) markSpanError(span, code);
        }
        return toolResultText(result);
      }),
    { name, description: def.description, schema: def.schema as never },
  ) as unknown as StructuredTool;
}
