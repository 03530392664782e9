import { messagesStateReducer } from '@langchain/langgraph';
import { createMiddleware, type AgentMiddleware } from 'langchain';
import type { BaseMessage } from '@langchain/core/messages';

type HookState = Record<string, unknown> & { messages: BaseMessage[] };
type HookUpdate = (Record<string, unknown> & { messages?: BaseMessage[]; jumpTo?: string }) | undefined | void;
type Hook = (state: HookState, runtime: unknown) => HookUpdate | Promise<HookUpdate>;
type HookSpec = Hook | { hook: Hook; canJumpTo?: string[] } | undefined;
type Phase = 'beforeAgent' | 'beforeModel' | 'afterModel';

const hookOf = (spec: HookSpec): Hook | undefined => (typeof spec === 'function' ? spec : spec?.hook);
const jumpsOf = (spec: HookSpec): string[] => (spec && typeof spec === 'object' ? (spec.canJumpTo ?? []) : []);

/**
 * Runs hooks one after another inside one graph node, as their separate nodes would: each sees the state with
 * the updates of those before it applied (messages through LangGraph's own reducer), and a `jumpTo` ends the chain
 * as the router after its node would have. The node returns the combined update.
 */
export function composeHooks(hooks: readonly Hook[]): Hook {
  return async (state, runtime) => {
    let current = state;
    let combined: Record<string, unknown> | undefined;
    let messages: BaseMessage[] | undefined;
    for (const hook of hooks) {
      const update = await hook(current, runtime);
      if (!update) continue;
      if (update.messages) {
        messages = [...(messages ?? []), ...update.messages];
        current = { ...current, ...update, messages: messagesStateReducer(current.messages, update.messages) as BaseMessage[] };
      } else {
        current = { ...current, ...update, messages: current.messages };
      }
      combined = { ...combined, ...update, ...(messages ? { messages } : {}) };
      if (typeof update.jumpTo === 'string') break;
    }
    return combined;
  };
}

/**
 * The same middleware with fewer graph nodes. createAgent gives every before/after hook a node of its own, and every
 * node is a superstep: task preparation, config merges, run trees, a full state re-emit through the messages
 * reducer. Here the `beforeAgent` and `beforeModel` hooks run in one `beforeModel` node (a `beforeAgent` hook must be
 * idempotent to move there: it then runs before every model call, not once per run), and the `afterModel` hooks in
 * one `afterModel` node, in the order createAgent would run them (after-model hooks last-to-first). Everything else
 * of each middleware (state schema, tools, wrapModelCall, wrapToolCall) stays where it was.
 *
 * @example
 *   createAgent({ model, tools, middleware: fuseHooks([todo, summarize, patch, hitl]) });
 */
export function fuseHooks(middleware: readonly AgentMiddleware[]): AgentMiddleware[] {
  const spec = (m: AgentMiddleware, phase: Phase) => (m as unknown as Record<Phase, HookSpec>)[phase];
  const before = middleware.flatMap((m) => [hookOf(spec(m, 'beforeAgent')), hookOf(spec(m, 'beforeModel'))]).filter((h): h is Hook => Boolean(h));
  const afterSpecs = [...middleware].reverse().map((m) => spec(m, 'afterModel')).filter((s): s is NonNullable<HookSpec> => Boolean(s));
  const stripped = middleware
    .map((m) => ({ ...m, beforeAgent: undefined, beforeModel: undefined, afterModel: undefined }) as AgentMiddleware)
    .filter((m) => {
      const rest = m as unknown as Record<string, unknown>;
      return ['stateSchema', 'wrapModelCall', 'wrapToolCall', 'afterAgent', 'tools'].some((k) => rest[k] !== undefined);
    });
  const canJumpTo = [...new Set(afterSpecs.flatMap(jumpsOf))];
  const fused = createMiddleware({
    name: 'LuminaMindFusedHooks',
    ...(before.length ? { beforeModel: composeHooks(before) as never } : {}),
    ...(afterSpecs.length ? { afterModel: { canJumpTo: canJumpTo as never, hook: composeHooks(afterSpecs.map((s) => hookOf(s)!)) as never } } : {}),
  }) as AgentMiddleware;
  return [...stripped, fused];
}
