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
    return [humanInTheLoopMiddleware({ interruptOn })];
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
