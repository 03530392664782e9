import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Config } from './config.js';
import { buildAgent, type LuminaAgent } from './graph/agent.js';
import { recordModelUsage } from './graph/run-context.js';
import type { ToolHooks } from './graph/tool-adapter.js';
import { createChatModel, type ChatModelHooks } from './llm/index.js';

export interface AgentHooks extends ToolHooks, ChatModelHooks {
  checkpointer?: BaseCheckpointSaver;
}

/**
 * The agent as every face runs it: the resilient model of config.llm (retries, breaker, fallback) with each
 * call's tokens and cost added to the run it belongs to, and the sandboxed tools.
 */
export function createAgentFromConfig(config: Config, hooks: AgentHooks = {}): LuminaAgent {
  const model = createChatModel(config, {
    onCall: (call) => {
      recordModelUsage(call);
      hooks.onCall?.(call);
    },
    onBreakerChange: hooks.onBreakerChange,
  });
  return buildAgent(config, { ...hooks, model });
}
