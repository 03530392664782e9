import { createAgent, summarizationMiddleware, todoListMiddleware, type AgentMiddleware } from 'langchain';
import { createPatchToolCallsMiddleware, createSubAgentMiddleware } from 'deepagents';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Config } from '../config.js';
import { MUTATING_TOOLS, TOOL_NAMES } from '../tools/index.js';
import { approvalMiddleware } from './approval.js';
import { withDirectExit } from './direct-exit.js';
import { fuseHooks } from './fused-hooks.js';
import { MAIN_PROMPT } from './prompts.js';
import { SUBAGENTS } from './subagents.js';
import { toLangChainTool, type ToolHooks } from './tool-adapter.js';

export interface GraphDeps extends ToolHooks {
  model: BaseChatModel;
  checkpointer: BaseCheckpointSaver;
}

/**
 * The deep agent of the original, assembled from langchain's createAgent: todo planning, subagents through
 * the `task` tool, summarisation of long histories, patching of dangling tool calls, and the approval
 * policy. deepagents' own createDeepAgent is not used because its virtual filesystem tools cannot be
 * removed and collide with our sandboxed tools of the same names (TOOL_NAME_COLLISION in deepagents 1.14).
 */
export function buildGraph(config: Config, deps: GraphDeps) {
  // An answer without tool calls ends the run from the model node (direct-exit.ts): a superstep less per run.
  return withDirectExit(() => buildAgentGraph(config, deps));
}

function buildAgentGraph(config: Config, deps: GraphDeps) {
  const allTools = Object.fromEntries(TOOL_NAMES.map((name) => [name, toLangChainTool(name, config, deps)]));
  // Fresh middleware per agent: each subagent keeps its own todo list and summary.
  const middlewareList = (): AgentMiddleware[] => [
    todoListMiddleware(),
    summarizationMiddleware({
      model: deps.model,
      trigger: { tokens: config.agent.summarizeAfterTokens },
      keep: { messages: config.agent.summarizeKeepMessages },
    }),
    createPatchToolCallsMiddleware() as AgentMiddleware,
    ...approvalMiddleware(config.agent.approvalPolicy, MUTATING_TOOLS),
  ];
  // Their before/after hooks share one graph node per phase (see fuseHooks): fewer supersteps per model call.
  const commonMiddleware = (): AgentMiddleware[] => fuseHooks(middlewareList());
  const subagents = SUBAGENTS.map((spec) => ({
    name: spec.name,
    description: spec.description,
    systemPrompt: spec.systemPrompt,
    tools: spec.tools.map((name) => allTools[name]!),
    middleware: commonMiddleware(),
  }));
  const [todo, summarize, patch, ...approval] = middlewareList();
  const subagentMiddleware = createSubAgentMiddleware({
    defaultModel: deps.model,
    defaultTools: Object.values(allTools),
    generalPurposeMiddleware: commonMiddleware(),
    subagents,
    generalPurposeAgent: true,
  }) as AgentMiddleware;
  return createAgent({
    model: deps.model,
    systemPrompt: MAIN_PROMPT,
    tools: Object.values(allTools),
    middleware: fuseHooks([todo!, subagentMiddleware, summarize!, patch!, ...approval]),
    checkpointer: deps.checkpointer,
  });
}

export type AgentGraph = ReturnType<typeof buildGraph>;
