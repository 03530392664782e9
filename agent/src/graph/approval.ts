import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { createMiddleware, humanInTheLoopMiddleware, ToolMessage, type AgentMiddleware } from 'langchain';
import type { Config } from '../config.js';

export type ApprovalPolicy = Config['agent']['approvalPolicy'];

/**
 * The middleware that enforces an approval policy on mutating tools (MUTATING_TOOLS: every tool marked
 * `mutating`, the seven the original interrupted on):
 * `ask` interrupts the run until a person decides (approve / edit / reject, one decision per action);
 * `deny` answers every mutating call with a rejection the model can read; `auto` lets them run.
 */
export function approvalMiddleware(policy: ApprovalPolicy, mutatingTools: readonly string[]): AgentMiddleware[] {
  if (policy === 'auto') return [];
  if (policy === 'ask') {
    const interruptOn = Object.fromEntries(
      mutatingTools.map((name) => [name, { allowedDecisions: ['approve', 'edit', 'reject'] as ('approve' | 'edit' | 'reject')[] }]),
    );
    return [onlyWhenReviewable(humanInTheLoopMiddleware({ interruptOn }), new Set(mutatingTools))];
  }
  const denied = new Set(mutatingTools);
  return [
    createMiddleware({
      name: 'DenyMutatingToolsMiddleware',
      wrapToolCall: async (request, handler) => {
        if (!denied.has(request.toolCall.name)) return handler(request);
        return new ToolMessage({
          content: `Rejected by policy: ${request.toolCall.name} changes the workspace or runs programs, and APPROVAL_POLICY=deny.`,
          tool_call_id: request.toolCall.id ?? '',
          name: request.toolCall.name,
          status: 'error',
        });
      },
    }),
  ];
}

type AfterModel = { canJumpTo?: string[]; hook: (state: { messages: BaseMessage[] }, runtime: { context?: unknown }) => unknown };

/**
 * The HITL middleware's afterModel hook runs after every model call and validates its whole options object with zod
 * before it even looks at the answer. It can only act when the last AI message calls a tool it interrupts on (or
 * when a run passes its own interruptOn in the context), so it is called only then; otherwise it would return nothing.
 */
export function onlyWhenReviewable(hitl: AgentMiddleware, reviewed: ReadonlySet<string>): AgentMiddleware {
  const spec = (hitl as unknown as { afterModel: AfterModel }).afterModel;
  const hook: AfterModel['hook'] = (state, runtime) => {
    const lastAi = [...state.messages].reverse().find((m) => AIMessage.isInstance(m)) as AIMessage | undefined;
    const overridden = (runtime.context as { interruptOn?: unknown } | undefined)?.interruptOn !== undefined;
    if (!overridden && !lastAi?.tool_calls?.some((call) => reviewed.has(call.name))) return undefined;
    return spec.hook(state, runtime);
  };
  return { ...hitl, afterModel: { ...spec, hook } } as unknown as AgentMiddleware;
}
