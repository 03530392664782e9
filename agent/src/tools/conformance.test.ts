import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MUTATING_TOOLS, TOOL_NAMES, runTool, tools } from './index.js';
import { createTestWorkspace, type TestWorkspace } from './support/workspace.test-support.js';
import { defineTool, isToolError, type ToolDefinition } from './support/types.js';

// One suite over every tool in the registry (langgraphjs-style conformance): a tool added to `tools` is checked
// here without writing anything; a tool taking a path must be listed in VALID_INPUT below or the suite fails.

/** The original service's 17 tool names: scripts and models written for it call these. */
const ORIGINAL_NAMES = [
  'read_file', 'write_file', 'copy_file', 'move_file', 'file_delete', 'list_directory', 'file_search', 'grep_search',
  'multi_replace_in_file', 'apply_patch', 'read_files_in_directory', 'tree_view', 'shell', 'os_info', 'web_search',
  'fetch_as_markdown', 'get_weather',
];

/** A valid input for each tool that takes a path, with every path inside the workspace (`seed.txt`, `.`). */
const VALID_INPUT: Record<string, Record<string, unknown>> = {
  read_file: { file_path: 'seed.txt' },
  write_file: { file_path: 'seed.txt', text: 'x' },
  copy_file: { source_path: 'seed.txt', destination_path: 'copy.txt' },
  move_file: { source_path: 'seed.txt', destination_path: 'moved.txt' },
  file_delete: { file_path: 'seed.txt' },
  list_directory: { dir_path: '.' },
  file_search: { dir_path: '.', pattern: '*.txt' },
  grep_search: { query: 'seed', directory: '.' },
  multi_replace_in_file: { path: 'seed.txt', replacements: [{ find: 'seed', replace: 'x' }] },
  apply_patch: { target_file: 'seed.txt', diff_content: '--- a/seed.txt\n+++ b/seed.txt\n@@ -1 +1 @@\n-seed\n+x\n' },
  read_files_in_directory: { directory_path: '.' },
  tree_view: { path: '.' },
  shell: { command: 'ls', cwd: '.' },
};
const PATH_ARG = /^(path|directory|target_file|cwd)$|_path$/;

function propertiesOf(tool: ToolDefinition): string[] {
  const schema = z.toJSONSchema(tool.schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(schema.properties ?? {});
}

/** The path arguments a tool takes, by name (file_path, dir_path, directory, target_file, cwd…). */
function pathArgsOf(tool: ToolDefinition): string[] {
  return propertiesOf(tool).filter((p) => PATH_ARG.test(p));
}

/**
 * Runs `tool` once per path argument pointed outside the workspace (relative escape and absolute path); returns
 * what went wrong: a call that did not refuse with AGT_ERR_PATH_OUTSIDE_WORKSPACE as data, or a touched canary.
 */
async function pathViolations(tool: ToolDefinition, valid: Record<string, unknown>, ws: TestWorkspace): Promise<string[]> {
  const problems: string[] = [];
  const canary = join(ws.outside, 'canary.txt');
  for (const arg of pathArgsOf(tool)) {
    for (const outside of ['../outside/canary.txt', canary]) {
      await writeFile(join(ws.root, 'seed.txt'), 'seed\n');
      await writeFile(canary, 'canary\n');
      const result = await tool.run(tool.schema.parse({ ...valid, [arg]: outside }), ws.ctx).catch((err: unknown) => `threw ${String(err)}`);
      if (typeof result === 'string' && result.startsWith('threw')) problems.push(`${arg}=${outside}: ${result}`);
      else if (!isToolError(result) || result.code !== 'AGT_ERR_PATH_OUTSIDE_WORKSPACE') problems.push(`${arg}=${outside}: not refused (${JSON.stringify(result).slice(0, 120)})`);
      if ((await readFile(canary, 'utf8').catch(() => 'gone')) !== 'canary\n') problems.push(`${arg}=${outside}: the canary outside was changed`);
    }
  }
  return problems;
}

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ SHELL_SANDBOX: 'off' });
});
afterEach(async () => {
  await ws.cleanup();
});

describe('every tool in the registry', () => {
  it('is one of the original 17, under its original name, and all 17 are there', () => {
    expect(Object.keys(tools).sort()).toEqual([...ORIGINAL_NAMES].sort());
    expect([...TOOL_NAMES].sort()).toEqual([...ORIGINAL_NAMES].sort());
    for (const [key, tool] of Object.entries(tools)) expect(tool.name, key).toBe(key);
  });

  it.each(Object.entries(tools))('%s: a zod schema, a description, a mutating flag that MUTATING_TOOLS agrees with', (name, tool) => {
    expect(tool.schema).toBeInstanceOf(z.ZodType);
    expect(tool.description.trim().length).toBeGreaterThan(10);
    expect(MUTATING_TOOLS.includes(name as never)).toBe(tool.mutating);
  });

  it('lists a valid input for exactly the tools that take a path', () => {
    const takingPaths = Object.entries(tools).filter(([, t]) => pathArgsOf(t).length > 0).map(([n]) => n);
    expect(takingPaths.sort()).toEqual(Object.keys(VALID_INPUT).sort());
  });

  it.each(Object.keys(VALID_INPUT))('%s: refuses every path argument outside the workspace, as data, touching nothing', async (name) => {
    const tool = tools[name as keyof typeof tools] as ToolDefinition;
    expect(await pathViolations(tool, VALID_INPUT[name]!, ws)).toEqual([]);
  });

  it.each(Object.keys(tools))('%s: invalid arguments come back as data (AGT_ERR_TOOL_INPUT_INVALID), never a throw', async (name) => {
    const result = await runTool(name, 'not an object', ws.ctx);
    expect(isToolError(result)).toBe(true);
    expect(result).toMatchObject({ error: true, code: 'AGT_ERR_TOOL_INPUT_INVALID', message: expect.stringContaining(name) });
  });

  it.each(Object.entries(tools).filter(([, t]) => propertiesOf(t).includes('url')).map(([n]) => n))(
    '%s: refuses a URL the SSRF guard forbids, as data, before connecting',
    async (name) => {
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9/', 'file:///etc/passwd']) {
        expect(await runTool(name, { url }, ws.ctx)).toMatchObject({ error: true, code: 'AGT_ERR_URL_REFUSED' });
      }
    },
  );

  it('the path check can fail: a tool that joins paths itself is caught writing outside', async () => {
    const naive = defineTool({
      name: 'naive_write',
      description: 'writes wherever it is told',
      mutating: true,
      schema: z.object({ file_path: z.string() }),
      run: async ({ file_path }, ctx) => {
        await writeFile(file_path.startsWith('/') ? file_path : join(ctx.workspaceRoot, file_path), 'overwritten');
        return 'ok';
      },
    });
    const problems = await pathViolations(naive, { file_path: 'seed.txt' }, ws);
    expect(problems.some((p) => p.includes('not refused'))).toBe(true);
    expect(problems.some((p) => p.includes('canary outside was changed'))).toBe(true);
  });
});
