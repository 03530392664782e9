import { Command, REMOVE_ALL_MESSAGES, messagesStateReducer } from '@langchain/langgraph';
import { createMiddleware, type AgentMiddleware } from 'langchain';
import { AIMessage, RemoveMessage, type BaseMessage } from '@langchain/core/messages';

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

// What a hook node gives a middleware without a context schema (the fused hooks have none): an empty context.
const NO_CONTEXT = Object.freeze({});

type ModelRequest = { messages: BaseMessage[]; state: Record<string, unknown>; runtime: Record<string, unknown> };
type ModelHandler = (request: ModelRequest) => Promise<unknown>;

/**
 * The `before` hooks run inside the model node, as its outermost wrapModelCall, instead of in a node of their own
 * (a superstep per model call: ~10 % of a one-tool request's CPU). They see what the node gave them (the messages,
 * an empty context, the runtime) and run before any other wrapper; the model is called with the messages their
 * update leaves. That update is written with the answer: the model node writes its answer first, then this
 * Command, which (when messages changed) rewrites the thread to those messages followed by the answer, the state
 * the node pair left. Unlike the node, an update is not kept when the model call fails (it is made again on the
 * next call). A jump is refused, as the fused node (declaring no targets) refused it. The agent has no
 * responseFormat, so the answer is always an AIMessage.
 */
export function beforeModelWrapper(hook: Hook): AgentMiddleware {
  return createMiddleware({
    name: 'LuminaMindBeforeModelHooks',
    wrapModelCall: (async (request: ModelRequest, handler: ModelHandler) => {
      const update = await hook({ ...request.state, messages: request.messages }, Object.freeze({ ...request.runtime, context: NO_CONTEXT }));
      if (!update) return handler(request);
      const { jumpTo, messages: written, ...rest } = update;
      if (jumpTo !== undefined) throw new Error(`a before-model hook may not jump (to ${String(jumpTo)})`);
      const messages = written ? (messagesStateReducer(request.messages, written) as BaseMessage[]) : request.messages;
      const answer = await handler({ ...request, messages, state: { ...request.state, ...rest, messages } });
      const tail = AIMessage.isInstance(answer) ? [answer] : [];
      return new Command({ update: { ...rest, ...(written ? { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...messages, ...tail] } : {}) } });
    }) as never,
  }) as AgentMiddleware;
}

/**
 * The same middleware with fewer graph nodes. createAgent gives every before/after hook a node of its own, and every
 * node is a superstep: task preparation, config merges, run trees, a full state re-emit through the messages
 * reducer. Here the `beforeAgent` and `beforeModel` hooks run inside the model node (beforeModelWrapper: a
 * `beforeAgent` hook must be idempotent to move there: it then runs before every model call, not once per run), and
 * the `afterModel` hooks in one `afterModel` node, in the order createAgent would run them (after-model hooks
 * last-to-first). When a middleware with a before hook declares a state schema of its own (its hook may read more
 * than the messages a model wrapper sees), the before hooks keep one `beforeModel` node instead. Everything else of
 * each middleware (state schema, tools, wrapModelCall, wrapToolCall) stays where it was.
 *
 * @example
 *   createAgent({ model, tools, middleware: fuseHooks([todo, summarize, patch, hitl]) });
 */
export function fuseHooks(middleware: readonly AgentMiddleware[]): AgentMiddleware[] {
  const spec = (m: AgentMiddleware, phase: Phase) => (m as unknown as Record<Phase, HookSpec>)[phase];
  const before = middleware.flatMap((m) => [hookOf(spec(m, 'beforeAgent')), hookOf(spec(m, 'beforeModel'))]).filter((h): h is Hook => Boolean(h));
  const beforeNeedsState = middleware.some((m) => (spec(m, 'beforeAgent') || spec(m, 'beforeModel')) && (m as { stateSchema?: unknown }).stateSchema !== undefined);
  const wrapped = before.length > 0 && !beforeNeedsState;
  const afterSpecs = [...middleware].reverse().map((m) => spec(m, 'afterModel')).filter((s): s is NonNullable<HookSpec> => Boolean(s));
  const stripped = middleware
    .map((m) => ({ ...m, beforeAgent: undefined, beforeModel: undefined, afterModel: undefined }) as AgentMiddleware)
    .filter((m) => {
      const rest = m as unknown as Record<string, unknown>;
      return ['stateSchema', 'wrapModelCall', 'wrapToolCall', 'afterAgent', 'tools'].some((k) => rest[k] !== undefined);
    });
  const canJumpTo = [...new Set(afterSpecs.flatMap(jumpsOf))];
  // The after-model node keeps its name (LuminaMindFusedHooks.after_model): a thread paused there for approval resumes by it.
  const fused = createMiddleware({
    name: 'LuminaMindFusedHooks',
    ...(before.length && !wrapped ? { beforeModel: composeHooks(before) as never } : {}),
    ...(afterSpecs.length ? { afterModel: { canJumpTo: canJumpTo as never, hook: composeHooks(afterSpecs.map((s) => hookOf(s)!)) as never } } : {}),
  }) as AgentMiddleware;
  // First in the list: the outermost model wrapper, so the hooks run before every other wrapper sees the request.
  return [...(wrapped ? [beforeModelWrapper(composeHooks(before))] : []), ...stripped, fused];
}
