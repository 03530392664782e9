import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { tool } from '@langchain/core/tools';
import { MemorySaver } from '@langchain/langgraph';
import { createAgent, todoListMiddleware, type AgentMiddleware } from 'langchain';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { approvalMiddleware } from './approval.js';
import { withDirectExit } from './direct-exit.js';
import { fuseHooks } from './fused-hooks.js';

// Answers in turn from a script: a tool call, or text.
class Scripted extends BaseChatModel {
  private turn = 0;
  constructor(private readonly script: AIMessage[]) {
    super({});
  }
  _llmType(): string {
    return 'scripted';
  }
  override bindTools(): never {
    return this as never;
  }
  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    const message = this.script[this.turn++]!;
    return { generations: [{ text: '', message }] };
  }
}

const writeFile = tool(async () => 'written', { name: 'write_file', description: 'writes', schema: z.object({ path: z.string() }) });
const middleware = (): AgentMiddleware[] => fuseHooks([todoListMiddleware(), ...approvalMiddleware('ask', ['write_file'])]);

/** Runs one turn and returns the graph tasks that ran, in order, and the interrupt if the run paused. */
async function turn(script: AIMessage[], direct: boolean) {
  const build = () => createAgent({ model: new Scripted(script) as never, tools: [writeFile], middleware: middleware(), checkpointer: new MemorySaver() });
  const agent = direct ? withDirectExit(build) : build();
  const tasks: string[] = [];
  let interrupted = false;
  const stream = await agent.graph.stream({ messages: [new HumanMessage('hi')] } as never, { configurable: { thread_id: 't' }, streamMode: 'updates' } as never);
  for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
    for (const key of Object.keys(chunk)) {
      if (key === '__interrupt__') interrupted = true;
      else tasks.push(key);
    }
  }
  return { tasks, interrupted };
}

const AFTER = 'LuminaMindFusedHooks.after_model';

describe('withDirectExit', () => {
  it('an answer without tool calls ends the run from the model node (the twin: createAgent as it is takes the after-model node)', async () => {
    const plain = [new AIMessage('hello')];
    expect((await turn(plain, true)).tasks).toEqual(['model_request']);
    expect((await turn(plain, false)).tasks).toEqual(['model_request', AFTER]);
  });

  it('an answer that calls tools still takes the after-model node: a reviewed call pauses for approval', async () => {
    const call = [new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'write_file', args: { path: 'a' } }] })];
    const run = await turn(call, true);
    expect(run.tasks).toEqual(['model_request']);
    expect(run.interrupted).toBe(true);
  });

  it('holds for this agent only while its after-model hooks do nothing with an answer that calls no tool', async () => {
    const answer = { messages: [new HumanMessage('hi'), new AIMessage('hello')], todos: [] };
    const overriding = { context: { interruptOn: { write_file: true } } };
    for (const m of [todoListMiddleware(), ...approvalMiddleware('ask', ['write_file'])]) {
      const after = (m as unknown as { afterModel?: { hook: (s: unknown, r: unknown) => unknown } | ((s: unknown, r: unknown) => unknown) }).afterModel;
      const hook = typeof after === 'function' ? after : after?.hook;
      expect(hook, m.name).toBeDefined();
      expect(await hook!(answer, overriding), m.name).toBeUndefined();
    }
  });
});
