import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ChatResponse } from '../contract/http.js';
import type { RunResult } from '../contract/run.js';
import type { LuminaAgent, RunInput } from '../graph/agent.js';
import type { Metrics } from '../observability/metrics.js';
import type { GroundingCheck } from './answer-guard.js';
import type { RunRegistry } from './run-registry.js';
import type { ToolCache } from './tool-guard.js';
import type { WorkspaceReaper } from './workspace-reaper.js';

/** The checkpointer's health as /ready reports it (the store's `health()`, or the in-memory default). */
export interface CheckpointerHealthLike {
  readonly ok: boolean;
  readonly backend: string;
  readonly degraded: boolean;
  readonly error?: string;
}

/** A LangGraph saver, optionally with the store's health probe and close. */
export type ServiceCheckpointer = BaseCheckpointSaver & {
  health?: () => Promise<CheckpointerHealthLike>;
  /** Whether the thread has state (the workspace sweep asks); without it the sweep reads the thread's latest checkpoint. */
  hasThread?: (threadId: string) => Promise<boolean>;
  close?: () => Promise<void>;
};

export interface ReadinessCheck {
  readonly ok: boolean;
  readonly degraded?: boolean;
  readonly detail?: string;
}

/** Everything the routes share: one per server instance. */
export interface Service {
  readonly config: Config;
  readonly agent: LuminaAgent;
  readonly checkpointer: ServiceCheckpointer;
  readonly redis?: Redis;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly audit: Logger;
  readonly cache: ToolCache;
  /** The run ids this service answered, per thread (feedback names one). */
  readonly runs: RunRegistry;
  /** Sweeps WORKSPACE_ROOT for folders of threads with no state left (every WORKSPACE_SWEEP_SECONDS). */
  readonly workspaces: WorkspaceReaper;
  /** The config's secret values, scrubbed from every error body that leaves. */
  readonly secrets: readonly string[];
  readonly grounding?: GroundingCheck;
  /** Named readiness probes (model, redis, checkpointer), each bounded by its own timeout. */
  readonly readiness: Record<string, () => Promise<ReadinessCheck>>;
  /** Runs the agent for one request: thread lock, abort on shutdown, answer guard, metrics and logs. */
  execute(input: RunInput & { threadId: string }, ctx: ExecuteContext): Promise<ChatResponse>;
  /** True once shutdown began: new runs are refused with 503. */
  readonly draining: boolean;
  beginDrain(): void;
  /** Aborts every run still in flight (the shutdown deadline passed). */
  abortAll(reason: string): void;
  inFlight(): number;
  /** Threads with a run in progress on this instance. */
  inFlightThreads(): ReadonlySet<string>;
}

export interface ExecuteContext {
  readonly keyId: string;
  readonly log: FastifyBaseLogger;
  readonly decisions?: RunInput['decisions'];
  readonly onEvent?: RunInput['onEvent'];
  readonly onToken?: RunInput['onToken'];
}

export function toChatResponse(result: RunResult, confidence: number): ChatResponse {
  return {
    thread_id: result.threadId,
    run_id: result.runId,
    status: result.status,
    answer: result.answer,
    tool_calls: result.toolCalls.map((c) => ({ id: c.id, name: c.name, args: c.args, output: c.output, error: c.error, duration_ms: c.durationMs })),
    todos: result.todos,
    pending_actions: result.pendingActions,
    usage: result.usage,
    latency_ms: result.latencyMs,
    confidence,
  };
}
