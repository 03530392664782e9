import { AsyncLocalStorage } from 'node:async_hooks';
import type { ToolCallRecord } from '../contract/run.js';
import type { TokenSource } from './token-stream.js';

/** What one agent run collects while LangGraph executes it: tool calls (also those of subagents) and model usage. */
export interface RunContext {
  readonly runId: string;
  readonly threadId: string;
  readonly workspaceRoot: string;
  readonly toolCalls: ToolCallRecord[];
  readonly usage: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
  /** Live events for streaming consumers. */
  readonly emit?: (event: { type: 'tool_start' | 'tool_end'; call: ToolCallRecord }) => void;
  /** Model tokens as they are generated (main agent and subagents); unset keeps model calls non-streaming. */
  readonly onToken?: (token: string, source: TokenSource) => void;
  /** What the caller's hooks need of the request behind the run (the service's RequestContext), opaque here. */
  readonly request?: unknown;
}

// AsyncLocalStorage rather than LangGraph's configurable: subagents run as nested graphs inside the `task`
// tool, and the async context reaches their tool calls and model calls without threading anything through.
const storage = new AsyncLocalStorage<RunContext>();

export function withRunContext<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

export function currentRun(): RunContext | undefined {
  return storage.getStore();
}

/** Adds one model call's usage to the run it happened in (no-op outside a run). */
export function recordModelUsage(call: { inputTokens: number; outputTokens: number; costUsd: number }): void {
  const run = storage.getStore();
  if (!run) return;
  run.usage.calls += 1;
  run.usage.inputTokens += call.inputTokens;
  run.usage.outputTokens += call.outputTokens;
  run.usage.costUsd += call.costUsd;
}
