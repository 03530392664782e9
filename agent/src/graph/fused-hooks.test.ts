import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, ToolMessage, RemoveMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { MemorySaver, REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import { createAgent, createMiddleware, type AgentMiddleware } from 'langchain';
import { z } from 'zod';
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
  it('keeps the rest of each middleware, runs the before hooks as the outermost model wrapper and the after-model hooks last-to-first in one node', async () => {
    const order: string[] = [];
    const first = createMiddleware({ name: 'first', beforeAgent: () => void order.push('first.beforeAgent'), afterModel: () => void order.push('first.afterModel'), wrapModelCall: (r, h) => h(r) }) as AgentMiddleware;
    const second = createMiddleware({
      name: 'second',
      beforeModel: () => void order.push('second.beforeModel'),
      afterModel: { canJumpTo: ['model'], hook: () => void order.push('second.afterModel') },
    }) as AgentMiddleware;
    const fused = fuseHooks([first, second]);
    expect(fused.map((m) => m.name)).toEqual(['LuminaMindBeforeModelHooks', 'first', 'LuminaMindFusedHooks']);
    expect(fused[1]!.afterModel).toBeUndefined();
    expect(fused[1]!.wrapModelCall).toBeDefined();
    const hooks = fused[2]! as unknown as { beforeModel?: unknown; afterModel: { canJumpTo: string[]; hook: (s: unknown, r: unknown) => Promise<unknown> } };
    expect(hooks.beforeModel).toBeUndefined();
    expect(hooks.afterModel.canJumpTo).toEqual(['model']);
    const answer = new AIMessage('answer');
    const wrap = fused[0]!.wrapModelCall as unknown as (r: unknown, h: () => Promise<unknown>) => Promise<unknown>;
    // No hook changed anything: the handler's answer goes back as it is.
    expect(await wrap({ messages: state().messages, state: {}, runtime: {} }, async () => answer)).toBe(answer);
    await hooks.afterModel.hook(state(), {});
    expect(order).toEqual(['first.beforeAgent', 'second.beforeModel', 'second.afterModel', 'first.afterModel']);
  });

  it('keeps a before-model node when a middleware with a before hook has state of its own to read', () => {
    const stateful = createMiddleware({ name: 'stateful', stateSchema: z.object({ count: z.number().default(0) }), beforeModel: () => undefined }) as AgentMiddleware;
    const fused = fuseHooks([stateful]);
    expect(fused.map((m) => m.name)).toEqual(['stateful', 'LuminaMindFusedHooks']);
    expect((fused[1] as unknown as { beforeModel?: unknown }).beforeModel).toBeDefined();
  });
});

// Answers with what it was sent, so a test sees the messages the model got.
class Echo extends BaseChatModel {
  readonly seen: string[][] = [];
  _llmType(): string {
    return 'echo';
  }
  override bindTools(): never {
    return this as never;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages.map((m) => String(m.content)));
    return { generations: [{ text: '', message: new AIMessage({ id: `answer-${this.seen.length}`, content: `answer ${this.seen.length}` }) }] };
  }
}

// A summariser in miniature: from the second turn on, the thread so far becomes one summary message.
const summarising = () =>
  createMiddleware({
    name: 'summarising',
    beforeModel: (s: { messages: BaseMessage[] }) =>
      s.messages.length > 1 ? { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), new HumanMessage({ id: 'summary', content: `summary of ${s.messages.length}` }), s.messages.at(-1)!] } : undefined,
  }) as AgentMiddleware;

async function twoTurns(middleware: AgentMiddleware[]) {
  const model = new Echo({});
  const agent = createAgent({ model: model as never, tools: [], middleware, checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: 't' } };
  await agent.invoke({ messages: [new HumanMessage({ id: 'u1', content: 'first' })] } as never, config as never);
  const end = await agent.invoke({ messages: [new HumanMessage({ id: 'u2', content: 'second' })] } as never, config as never);
  const nodes = Object.keys((agent.graph as unknown as { nodes: Record<string, unknown> }).nodes);
  return { seen: model.seen, messages: (end as { messages: BaseMessage[] }).messages.map((m) => String(m.content)), nodes };
}

describe('before hooks inside the model node', () => {
  it('leave the thread and the model input as their own node did, without that node (the twin: the hook in a node of its own)', async () => {
    const asNode = await twoTurns([summarising()]);
    const fused = await twoTurns(fuseHooks([summarising()]));
    expect(asNode.nodes.some((n) => n.includes('before_model'))).toBe(true);
    expect(fused.nodes.some((n) => n.includes('before_model'))).toBe(false);
    expect(fused.seen).toEqual(asNode.seen);
    expect(fused.seen.at(-1)).toEqual(['summary of 3', 'second']);
    expect(fused.messages).toEqual(asNode.messages);
    expect(fused.messages).toEqual(['summary of 3', 'second', 'answer 2']);
  });
});
