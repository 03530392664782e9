import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { Command, MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Config } from '../config.js';
import { withSpan } from '../observability/tracing.js';
import type { Decision, PendingAction, RunResult, Todo, ToolCallRecord } from '../contract/run.js';
import { buildGraph, type AgentGraph } from './builder.js';
import { directInvoker } from './direct-invoke.js';
import { installLightRunContext } from './light-run-context.js';
import { withRunContext, type RunContext } from './run-context.js';
import { RunTokenStream } from './token-stream.js';
import type { ToolHooks } from './tool-adapter.js';

export interface AgentDeps extends ToolHooks {
  /** The chat model (normally `createChatModel(config)`: retries, breaker, fallback). */
  model: BaseChatModel;
  /** Where threads persist; MemorySaver when omitted. */
  checkpointer?: BaseCheckpointSaver;
}

export interface RunInput {
  threadId?: string;
  /** A new user turn; omit when resuming with decisions. */
  message?: string;
  /** Decisions for the pending actions of an interrupted run, one per action, in order. */
  decisions?: Decision[];
  /** Overrides the thread's workspace (default `<WORKSPACE_ROOT>/<threadId>`). */
  workspaceRoot?: string;
  signal?: AbortSignal;
  /** Live tool events, for streaming UIs. */
  onEvent?: RunContext['emit'];
  /** Model tokens as they are generated, for streaming UIs. */
  onToken?: RunContext['onToken'];
  /** Carried in the run context for the caller's tool hooks (the service's request context). */
  request?: RunContext['request'];
}

export interface LuminaAgent {
  run(input: RunInput): Promise<RunResult>;
  /** The thread's messages as stored by the checkpointer (empty for an unknown thread). */
  history(threadId: string): Promise<BaseMessage[]>;
  readonly graph: AgentGraph;
}

const THREAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A saver that can hold a thread against eviction while a run of it is in progress (the in-memory one). */
interface Retaining {
  retain(threadId: string): () => void;
}

interface HitlRequest {
  actionRequests?: { name: string; args: Record<string, unknown>; description?: string }[];
  reviewConfigs?: { actionName: string; allowedDecisions: PendingAction['allowedDecisions'] }[];
}

function textOf(message: BaseMessage | undefined): string {
  if (!message) return '';
  const { content } = message;
  if (typeof content === 'string') return content;
  return content.map((block) => ('text' in block && typeof block.text === 'string' ? block.text : '')).join('');
}

function pendingActionsOf(interrupts: { value?: unknown }[]): PendingAction[] {
  return interrupts.flatMap(({ value }) => {
    const request = (value ?? {}) as HitlRequest;
    return (request.actionRequests ?? []).map((action) => ({
      name: action.name,
      args: action.args,
      description: action.description,
      allowedDecisions: request.reviewConfigs?.find((c) => c.actionName === action.name)?.allowedDecisions ?? ['approve', 'reject'],
    }));
  });
}

/**
 * The agent behind every face (CLI chat, HTTP service, eval harness): one `run` per user turn or per
 * approval resume, returning the answer together with the trajectory the graders need.
 *
 * @example
 *   const agent = buildAgent(config, { model: createChatModel(config) });
 *   const result = await agent.run({ threadId: 't1', message: 'List the files' });
 */
export function buildAgent(config: Config, deps: AgentDeps): LuminaAgent {
  installLightRunContext();
  const checkpointer = deps.checkpointer ?? new MemorySaver();
  const graph = buildGraph(config, { ...deps, checkpointer });
  const invoke = directInvoker(graph);
  const tokenStream = new RunTokenStream();
  // An in-memory thread dies with the process anyway, so a checkpoint per superstep buys no recovery: write once,
  // when the run ends or pauses for approval. Any other saver (Redis) keeps LangGraph's per-step checkpoints, so
  // the turn of a replica that crashed mid-run can be resumed.
  const durability = checkpointer instanceof MemorySaver ? ('exit' as const) : undefined;

  // Synchronous on purpose: two metadata syscalls on the local workspace volume take ~30 µs of CPU this way, and
  // ~100-140 µs through fs/promises (a thread-pool hand-off and wake-up each), on every run.
  function workspaceFor(threadId: string, override?: string): string {
    const dir = override ?? join(config.tools.workspaceRoot, threadId);
    mkdirSync(dir, { recursive: true });
    return realpathSync.native(dir);
  }

  return {
    graph,
    async history(threadId) {
      const snapshot = await graph.graph.getState({ configurable: { thread_id: threadId } });
      return ((snapshot.values as { messages?: BaseMessage[] })?.messages ?? []) as BaseMessage[];
    },
    async run(input) {
      const started = performance.now();
      const threadId = input.threadId ?? randomUUID();
      if (!THREAD_ID.test(threadId)) throw new TypeError('thread id must be 1-128 characters of A-Z, a-z, 0-9, _ or -');
      if (!input.message && !input.decisions) throw new TypeError('a run needs a message or decisions');
      // A bounded saver must not evict (and take the workspace of) a thread while a run of it is in progress.
      const release = (checkpointer as Partial<Retaining>).retain?.(threadId);
      try {
        return await runRetained(input, threadId, started);
      } finally {
        release?.();
      }
    },
  };

  async function runRetained(input: RunInput, threadId: string, started: number): Promise<RunResult> {
    let workspace: string | undefined;
    const ctx: RunContext = {
      runId: randomUUID(),
      threadId,
      // Made when a tool first needs it: a run that calls no tool (a plain answer) leaves no folder behind and makes
      // no mkdir, lstat and realpath calls (5 % of the service's CPU in a profile of plain and one-tool requests).
      get workspaceRoot() {
        return (workspace ??= workspaceFor(threadId, input.workspaceRoot));
      },
      toolCalls: [] as ToolCallRecord[],
      usage: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      emit: input.onEvent,
      onToken: input.onToken,
      request: input.request,
    };
    const graphInput = input.decisions
      ? new Command({ resume: { decisions: input.decisions } })
      : { messages: [new HumanMessage(input.message!)] };
    const runConfig = {
      configurable: { thread_id: threadId },
      recursionLimit: config.agent.recursionLimit,
      signal: input.signal,
      ...(durability ? { durability } : {}),
      // Only a run that streams gets the handler (inherited by every model call, subagents included): a callback
      // handler makes every runnable of the graph do callback-manager and run-tree work, even when nobody listens.
      ...(input.onToken ? { callbacks: [tokenStream] } : {}),
    };
    // Only the input's length is traced: prompts and tool outputs never become span attributes.
    const spanAttributes = { thread_id: threadId, run_id: ctx.runId, input_length: input.message?.length ?? 0, resume: Boolean(input.decisions) };
    const { state, pendingActions } = await withSpan('agent_execution', spanAttributes, async (span) => {
      try {
        const state = (await withRunContext(ctx, () => invoke(graphInput, runConfig))) as {
          messages?: BaseMessage[];
          todos?: Todo[];
          __interrupt__?: { value?: unknown }[];
        };
        const pendingActions = pendingActionsOf(state.__interrupt__ ?? []);
        span?.setAttribute('status', pendingActions.length ? 'awaiting_approval' : 'completed');
        return { state, pendingActions };
      } finally {
        span?.setAttributes({
          tokens: ctx.usage.inputTokens + ctx.usage.outputTokens,
          input_tokens: ctx.usage.inputTokens,
          output_tokens: ctx.usage.outputTokens,
          llm_calls: ctx.usage.calls,
          tool_calls: ctx.toolCalls.length,
        });
      }
    });
    const lastAi = [...(state.messages ?? [])].reverse().find((m) => AIMessage.isInstance(m));
    return {
      threadId,
      runId: ctx.runId,
      status: pendingActions.length ? 'awaiting_approval' : 'completed',
      answer: pendingActions.length ? '' : textOf(lastAi),
      toolCalls: ctx.toolCalls,
      todos: state.todos ?? [],
      pendingActions,
      usage: ctx.usage,
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
