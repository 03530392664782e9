import { createReadStream } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { CliUsageError } from '../errors.js';
import { warnUnconfinedSandbox } from './sandbox-notice.js';
import { TOOL_NAMES, isToolName, runTool } from '../tools/index.js';

interface ToolOptions {
  workspace?: string;
  input?: string;
  inputFile?: string;
  steps?: string;
}

/** Lines of a JSONL file with their 1-based numbers, blank lines skipped. */
async function* jsonLines(file: string): AsyncGenerator<{ value: unknown; where: string }> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n += 1;
    if (line.trim()) yield { value: parseJson(line, `${file}:${n}`), where: `${file}:${n}` };
  }
}

/** One step of a --steps file: `{"tool": "<name>", "input": {...}}`. */
function parseStep(value: unknown, where: string): { tool: (typeof TOOL_NAMES)[number]; input: unknown } {
  const step = value as { tool?: unknown; input?: unknown } | null;
  if (!step || typeof step !== 'object' || typeof step.tool !== 'string') throw new CliUsageError(`${where}: a step is {"tool": "<name>", "input": {...}}`);
  if (!isToolName(step.tool)) throw new CliUsageError(`${where}: unknown tool '${step.tool}'. Known tools: ${TOOL_NAMES.join(', ')}`);
  return { tool: step.tool, input: step.input ?? {} };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliUsageError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
}

export function registerToolCommand(program: Command): void {
  program
    .command('tool')
    .description('Run one agent tool exactly as the agent would (same validation, sandbox and limits); prints its JSON result.')
    .argument('[name]', `tool name: ${TOOL_NAMES.join(', ')}`)
    .option('-w, --workspace <dir>', 'workspace root the tool is confined to (default: WORKSPACE_ROOT)')
    .option('-i, --input <json>', 'the tool arguments as one JSON object', '{}')
    .option('-f, --input-file <file>', 'a JSONL file: one call per line, one JSON result per line')
    .option('-s, --steps <file>', 'a JSONL file of calls to different tools, {"tool": name, "input": {...}} per line, run in order in one workspace (replays a multi-step trajectory)')
    .addHelpText(
      'after',
      `
Tool failures and refusals are data ({"error": true, "message": ..., "code": ...}) and exit 0;
usage errors (unknown tool, bad JSON, missing workspace) exit 2.

Examples:
  luminamind tool list_directory --workspace ./ws --input '{"dir_path":"."}'
  luminamind tool shell --workspace ./ws --input '{"command":"ls -la"}'
  luminamind tool read_file --workspace ./ws --input-file attacks.jsonl
  luminamind tool --workspace ./ws --steps trajectory.jsonl`,
    )
    .action(async (name: string | undefined, opts: ToolOptions) => {
      if (opts.steps && name) throw new CliUsageError('give a tool name or --steps, not both (each step names its tool)');
      if (!opts.steps && !name) throw new CliUsageError(`a tool name is required. Known tools: ${TOOL_NAMES.join(', ')}`);
      if (name && !isToolName(name)) throw new CliUsageError(`unknown tool '${name}'. Known tools: ${TOOL_NAMES.join(', ')}`);
      const config = loadConfig();
      await warnUnconfinedSandbox(config);
      const dir = opts.workspace ?? config.tools.workspaceRoot;
      await mkdir(dir, { recursive: true });
      const ctx = { workspaceRoot: await realpath(dir), config };
      const print = (result: unknown) => process.stdout.write(`${JSON.stringify(result)}\n`);
      if (opts.steps) {
        for await (const { value, where } of jsonLines(opts.steps)) {
          const step = parseStep(value, where);
          print(await runTool(step.tool, step.input, ctx));
        }
        return;
      }
      const tool = name as (typeof TOOL_NAMES)[number];
      if (opts.inputFile) {
        for await (const { value } of jsonLines(opts.inputFile)) print(await runTool(tool, value, ctx));
        return;
      }
      print(await runTool(tool, parseJson(opts.input ?? '{}', '--input'), ctx));
    });
}
