import type { ToolName } from '../tools/index.js';
import { CODE_EXECUTOR_PROMPT, GREETER_PROMPT, WEB_RESEARCHER_PROMPT } from './prompts.js';

/** A specialised subagent reachable through the `task` tool (the original's general-purpose, web-researcher, code-executor and greeter). */
export interface SubagentSpec {
  name: string;
  description: string;
  systemPrompt: string;
  tools: readonly ToolName[];
}

// The original defined `web-research-analyst` as an identical twin of `web-researcher` and `code-executor`
// twice; one of each is enough. `general-purpose` (all tools) is added by deepagents itself.
export const SUBAGENTS = [
  {
    name: 'web-researcher',
    description: 'Researches questions on the web (search, read pages) and reports current weather, citing every source URL.',
    systemPrompt: WEB_RESEARCHER_PROMPT,
    tools: ['web_search', 'fetch_as_markdown', 'get_weather'],
  },
  {
    name: 'code-executor',
    description: 'Reads, edits and runs things in the workspace: files, patches, search, and allowlisted shell commands.',
    systemPrompt: CODE_EXECUTOR_PROMPT,
    tools: [
      'list_directory',
      'tree_view',
      'read_file',
      'write_file',
      'copy_file',
      'move_file',
      'file_delete',
      'file_search',
      'multi_replace_in_file',
      'apply_patch',
      'grep_search',
      'read_files_in_directory',
      'shell',
      'os_info',
    ],
  },
  {
    name: 'greeting-responder',
    description: 'Answers greetings and small talk briefly, with a light joke. Has no tools.',
    systemPrompt: GREETER_PROMPT,
    tools: [],
  },
] as const satisfies readonly SubagentSpec[];

export type SubagentName = (typeof SUBAGENTS)[number]['name'];
/** Every subagent's name (each its prompt's first-line word), for datasets and cassettes that address one. */
export const SUBAGENT_NAMES = SUBAGENTS.map((s) => s.name) as [SubagentName, ...SubagentName[]];
