import { z } from 'zod';
import { ToolInputInvalidError, ToolUnknownError, errorCode } from '../errors.js';
import type { ToolContext, ToolDefinition, ToolErrorResult, ToolResult } from './support/types.js';
import { toolError } from './support/types.js';
import { readFileTool } from './read-file.js';
import { writeFileTool } from './write-file.js';
import { copyFileTool } from './copy-file.js';
import { moveFileTool } from './move-file.js';
import { fileDeleteTool } from './file-delete.js';
import { listDirectoryTool } from './list-directory.js';
import { fileSearchTool } from './file-search.js';
import { grepSearchTool } from './grep-search.js';
import { multiReplaceInFileTool } from './multi-replace-in-file.js';
import { applyPatchTool } from './apply-patch.js';
import { readFilesInDirectoryTool } from './read-files-in-directory.js';
import { treeViewTool } from './tree-view.js';
import { shellTool } from './shell/tool.js';
import { osInfoTool } from './os-info.js';
import { webSearchTool } from './web-search.js';
import { fetchAsMarkdownTool } from './fetch-as-markdown.js';
import { getWeatherTool } from './get-weather.js';

/** The 17 tools of the original, by their original names (scripts and models written for the original keep working). */
export const TOOL_NAMES = [
  'read_file',
  'write_file',
  'copy_file',
  'move_file',
  'file_delete',
  'list_directory',
  'file_search',
  'grep_search',
  'multi_replace_in_file',
  'apply_patch',
  'read_files_in_directory',
  'tree_view',
  'shell',
  'os_info',
  'web_search',
  'fetch_as_markdown',
  'get_weather',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const tools = {
  read_file: readFileTool,
  write_file: writeFileTool,
  copy_file: copyFileTool,
  move_file: moveFileTool,
  file_delete: fileDeleteTool,
  list_directory: listDirectoryTool,
  file_search: fileSearchTool,
  grep_search: grepSearchTool,
  multi_replace_in_file: multiReplaceInFileTool,
  apply_patch: applyPatchTool,
  read_files_in_directory: readFilesInDirectoryTool,
  tree_view: treeViewTool,
  shell: shellTool,
  os_info: osInfoTool,
  web_search: webSearchTool,
  fetch_as_markdown: fetchAsMarkdownTool,
  get_weather: getWeatherTool,
} satisfies Record<ToolName, ToolDefinition>;

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** The tools that change the workspace or run programs: approval-gated and never cached. */
export const MUTATING_TOOLS = TOOL_NAMES.filter((n) => tools[n].mutating);

/** The error result (AGT_ERR_TOOL_INPUT_INVALID, each bad field named) that `input` would get from the tool; undefined when valid. */
export function checkToolInput(name: ToolName, input: unknown): ToolErrorResult | undefined {
  const parsed = tools[name].schema.safeParse(input);
  if (parsed.success) return undefined;
  const err = new ToolInputInvalidError(name, z.prettifyError(parsed.error).replaceAll('\n', '; '));
  return toolError(err.message, err.code);
}

/**
 * Runs one tool exactly as the agent does: unknown name → throws (a usage error); invalid input or any
 * failure inside the tool → an error result (data), so the model can read why and recover.
 */
export async function runTool(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  if (!isToolName(name)) throw new ToolUnknownError(name, TOOL_NAMES.join(', '));
  const tool: ToolDefinition = tools[name];
  const parsed = tool.schema.safeParse(rawInput);
  if (!parsed.success) return checkToolInput(name, rawInput)!;
  try {
    return await tool.run(parsed.data, ctx);
  } catch (err) {
    return toolError(err instanceof Error ? err.message : String(err), errorCode(err));
  }
}
