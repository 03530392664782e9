import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { AgentMiddleware } from 'langchain';
import { describe, expect, it } from 'vitest';
import { onlyWhenReviewable } from './approval.js';

type Hook = (state: { messages: unknown[] }, runtime: { context?: unknown }) => unknown;

function recordingHitl() {
  const calls: unknown[] = [];
  const hitl = { name: 'HumanInTheLoopMiddleware', afterModel: { canJumpTo: ['model'], hook: (state: unknown) => (calls.push(state), 'reviewed') } };
  const guarded = onlyWhenReviewable(hitl as unknown as AgentMiddleware, new Set(['write_file']));
  const { hook, canJumpTo } = (guarded as unknown as { afterModel: { hook: Hook; canJumpTo: string[] } }).afterModel;
  return { calls, hook, canJumpTo };
}

const aiCalling = (name: string) => new AIMessage({ content: '', tool_calls: [{ id: 'c1', name, args: {} }] });

describe('onlyWhenReviewable', () => {
  it('skips the HITL hook when the last AI message calls no reviewed tool', async () => {
    const { calls, hook, canJumpTo } = recordingHitl();
    expect(await hook({ messages: [new HumanMessage('hi'), new AIMessage('hello')] }, {})).toBeUndefined();
    expect(await hook({ messages: [new HumanMessage('ls'), aiCalling('list_directory')] }, {})).toBeUndefined();
    // An earlier write_file call, already answered, is not the last AI message's.
    expect(await hook({ messages: [aiCalling('write_file'), new ToolMessage({ content: 'ok', tool_call_id: 'c1' }), new AIMessage('done')] }, {})).toBeUndefined();
    expect(calls).toHaveLength(0);
    expect(canJumpTo).toEqual(['model']);
  });

  it('calls it when the last AI message calls a reviewed tool, or when the run brings its own interruptOn', async () => {
    const { calls, hook } = recordingHitl();
    expect(await hook({ messages: [new HumanMessage('write'), aiCalling('write_file'), new ToolMessage({ content: 'x', tool_call_id: 'c0' })] }, {})).toBe('reviewed');
    expect(await hook({ messages: [aiCalling('list_directory')] }, { context: { interruptOn: { list_directory: true } } })).toBe('reviewed');
    expect(calls).toHaveLength(2);
  });
});
