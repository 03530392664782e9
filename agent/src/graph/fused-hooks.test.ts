import { AIMessage, HumanMessage, ToolMessage, RemoveMessage, type BaseMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import { createMiddleware, type AgentMiddleware } from 'langchain';
import { describe, expect, it } from 'vitest';
import { composeHooks, fuseHooks } from './fused-hooks.js';

const ai = new AIMessage({ id: 'ai-1', content: '', tool_calls: [{ id: 'c1', name: 'write_file', args: {} }] });
const state = () => ({ messages: [new HumanMessage({ id: 'h-1', content: 'hi' }), ai] as BaseMessage[] });

describe('composeHooks', () => {
  it('lets each hook see the updates of those before it, and returns them combined', async () => {
    const seen: number[] = [];
    const composed = composeHooks([
      () => ({ messages: [new ToolMessage({ id: 't-1', content: 'rejected', tool_call_id: 'c1' })] }),
      (s) => {
        seen.push(s.messages.length);
        return { todos: ['x'] };
      },
      (s) => {
        seen.push(s.messages.length);
        return undefined;
      },
    ]);
    const update = (await composed(state(), {})) as { messages: BaseMessage[]; todos: string[] };
    expect(seen).toEqual([3, 3]);
    expect(update.todos).toEqual(['x']);
    expect(update.messages.map((m) => m.id)).toEqual(['t-1']);
  });

  it('applies a REMOVE_ALL rewrite before the next hook, and stops at a jumpTo as the router would', async () => {
    const after: string[] = [];
    const composed = composeHooks([
      () => ({ messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), new HumanMessage({ id: 'summary', content: 'summary' })] }),
      (s) => {
        after.push(s.messages.map((m) => m.id).join(','));
        return { jumpTo: 'model' };
      },
      () => {
        after.push('must not run');
        return { todos: [] };
      },
    ]);
    const update = (await composed(state(), {})) as { jumpTo: string; messages: BaseMessage[] };
    expect(after).toEqual(['summary']);
    expect(update.jumpTo).toBe('model');
    expect(update.messages).toHaveLength(2);
  });

  it('returns undefined when no hook changed anything', async () => {
    expect(await composeHooks([() => undefined, async () => undefined])(state(), {})).toBeUndefined();
  });
});

describe('fuseHooks', () => {
  it('keeps the rest of each middleware and moves every hook into one node per phase, after-model hooks last-to-first', async () => {
    const order: string[] = [];
    const first = createMiddleware({ name: 'first', beforeAgent: () => void order.push('first.beforeAgent'), afterModel: () => void order.push('first.afterModel'), wrapModelCall: (r, h) => h(r) }) as AgentMiddleware;
    const second = createMiddleware({
      name: 'second',
      beforeModel: () => void order.push('second.beforeModel'),
      afterModel: { canJumpTo: ['model'], hook: () => void order.push('second.afterModel') },
    }) as AgentMiddleware;
    const fused = fuseHooks([first, second]);
    expect(fused.map((m) => m.name)).toEqual(['first', 'LuminaMindFusedHooks']);
    expect(fused[0]!.afterModel).toBeUndefined();
    expect(fused[0]!.wrapModelCall).toBeDefined();
    const hooks = fused[1]! as unknown as { beforeModel: (s: unknown, r: unknown) => Promise<unknown>; afterModel: { canJumpTo: string[]; hook: (s: unknown, r: unknown) => Promise<unknown> } };
    expect(hooks.afterModel.canJumpTo).toEqual(['model']);
    await hooks.beforeModel(state(), {});
    await hooks.afterModel.hook(state(), {});
    expect(order).toEqual(['first.beforeAgent', 'second.beforeModel', 'second.afterModel', 'first.afterModel']);
  });
});
