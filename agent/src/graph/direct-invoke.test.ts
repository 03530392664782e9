import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { MemorySaver } from '@langchain/langgraph';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { buildGraph } from './builder.js';
import { directInvoker } from './direct-invoke.js';

// A model that plans (write_todos) when asked to, and otherwise answers.
class Scripted extends BaseChatModel {
  _llmType(): string {
    return 'scripted';
  }
  override bindTools(): never {
    return this as never;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const last = messages.at(-1)!;
    const plan = HumanMessage.isInstance(last) && String(last.content).startsWith('plan');
    const message = plan
      ? new AIMessage({ content: '', tool_calls: [{ id: 'call-1', name: 'write_todos', args: { todos: [{ content: 'step one', status: 'pending' }] } }] })
      : new AIMessage('done here, thank you');
    return { generations: [{ text: '', message }] };
  }
}

const root = mkdtempSync(join(tmpdir(), 'lm-direct-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function agentGraph() {
  const config = loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'x', LLM_MODEL: 'm', WORKSPACE_ROOT: root, APPROVAL_POLICY: 'auto' });
  return buildGraph(config, { model: new Scripted({}) as never, checkpointer: new MemorySaver() });
}

type State = { messages: BaseMessage[]; todos?: unknown };
const shape = (s: State) => ({ messages: s.messages.map((m) => [m.getType(), m.content]), todos: s.todos });

describe('directInvoker', () => {
  it('skips the thread read-back ReactAgent.invoke does on every call (the twin: ReactAgent does it)', async () => {
    const reads = { agent: 0, direct: 0 };
    const count = (graph: ReturnType<typeof agentGraph>, key: keyof typeof reads) => {
      const compiled = graph.graph as unknown as { getState: (...a: unknown[]) => Promise<unknown> };
      const getState = compiled.getState.bind(compiled);
      compiled.getState = (...a) => (reads[key]++, getState(...a));
      return graph;
    };
    const viaAgent = count(agentGraph(), 'agent');
    const direct = directInvoker(count(agentGraph(), 'direct'));
    await viaAgent.invoke({ messages: [new HumanMessage('hello')] } as never, { configurable: { thread_id: 'r1' } });
    await direct({ messages: [new HumanMessage('hello')] }, { configurable: { thread_id: 'r1' } });
    expect(reads).toEqual({ agent: 1, direct: 0 });
  });

  it('ends each turn in the state ReactAgent.invoke ends it in: todos defaulted on a new thread, kept on the next turn', async () => {
    const viaAgent = agentGraph();
    const viaDirect = agentGraph();
    const direct = directInvoker(viaDirect);
    for (const [thread, text] of [['t1', 'hello'], ['t2', 'plan the work'], ['t2', 'and now?']] as const) {
      const config = { configurable: { thread_id: thread } };
      const a = (await viaAgent.invoke({ messages: [new HumanMessage(text)] } as never, config)) as unknown as State;
      const b = (await direct({ messages: [new HumanMessage(text)] }, config)) as State;
      expect(shape(b)).toEqual(shape(a));
    }
    const fresh = (await direct({ messages: [new HumanMessage('hello')] }, { configurable: { thread_id: 't3' } })) as State;
    expect(fresh.todos).toEqual([]);
    const kept = (await direct({ messages: [new HumanMessage('again')] }, { configurable: { thread_id: 't2' } })) as State;
    expect(kept.todos).toEqual([{ content: 'step one', status: 'pending' }]);
  });
});
