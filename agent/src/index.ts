// The agent's public face: the harness, load tests and chaos drills import only this module, or its contract alone
// (./contract/index.ts: the run and HTTP shapes and the grounding check, without loading the agent).
export { loadConfig, redactConfig, configVariables, type Config, type ModelEndpoint } from './config.js';
export { errorCode } from './errors.js';
export { MAIN_AGENT_NAME } from './graph/prompts.js';
export { SUBAGENT_NAMES, type SubagentName } from './graph/subagents.js';
export { buildAgent, type LuminaAgent, type RunInput, type AgentDeps } from './graph/agent.js';
export { buildServer, type ServerDeps } from './server.js';
export { startService, type RunningService } from './main.js';
export { createAgentFromConfig, type AgentHooks } from './agent-factory.js';
export { createChatModel, type ChatModelHooks, type LlmCallRecord } from './llm/index.js';
export { runTool, TOOL_NAMES, MUTATING_TOOLS, type ToolName } from './tools/index.js';
export type { ToolContext, ToolResult, SecurityEvent } from './tools/support/types.js';
export * from './contract/index.js';
