import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import type { z } from 'zod';
import type { SecurityEvent, ToolContext, ToolDefinition, ToolResult } from './types.js';

export interface TestWorkspace {
  /** Symlink-resolved temp dir used as the workspace root. */
  root: string;
  /** A sibling temp dir outside the workspace (for canaries and symlink targets). */
  outside: string;
  ctx: ToolContext;
  events: SecurityEvent[];
  cleanup(): Promise<void>;
}

/**
 * A fresh workspace in os.tmpdir() for file-tool tests, with a recording onSecurityEvent.
 *
 * @example
 *   const ws = await createTestWorkspace(); try { await readFileTool.run({ file_path: 'a' }, ws.ctx); } finally { await ws.cleanup(); }
 */
export async function createTestWorkspace(env: Record<string, string> = {}): Promise<TestWorkspace> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'lm-fs-')));
  const root = join(base, 'ws');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  const events: SecurityEvent[] = [];
  const ctx: ToolContext = { workspaceRoot: root, config: loadConfig(env), onSecurityEvent: (e) => events.push(e) };
  return { root, outside, ctx, events, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** Runs a tool as runTool does (schema defaults applied), without importing the whole registry. */
export async function call<S extends z.ZodType>(tool: ToolDefinition<S>, input: z.input<S>, ctx: ToolContext): Promise<ToolResult> {
  return tool.run(tool.schema.parse(input), ctx);
}
