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
    .argument('<name>', `tool name: ${TOOL_NAMES.join(', ')}`)
    .option('-w, --workspace <dir>', 'workspace root the tool is confined to (default: WORKSPACE_ROOT)')
    .option('-i, --input <json>', 'the tool arguments as one JSON object', '{}')
    .option('-f, --input-file <file>', 'a JSONL file: one call per line, one JSON result per line')
    .addHelpText(
      'after',
      `
Tool failures and refusals are data ({"error": true, "message": ..., "code": ...}) and exit 0;
usage errors (unknown tool, bad JSON, missing workspace) exit 2.

Examples:
  luminamind tool list_directory --workspace ./ws --input '{"dir_path":"."}'
  luminamind tool shell --workspace ./ws --input '{"command":"ls -la"}'
  luminamind tool read_file --workspace ./ws --input-file attacks.jsonl`,
    )
    .action(async (name: string, opts: ToolOptions) => {
      if (!isToolName(name)) throw new CliUsageError(`unknown tool '${name}'. Known tools: ${TOOL_NAMES.join(', ')}`);
      const config = loadConfig();
      await warnUnconfinedSandbox(config);
      const dir = opts.workspace ?? config.tools.workspaceRoot;
      await mkdir(dir, { recursive: true });
      const ctx = { workspaceRoot: await realpath(dir), config };
      if (opts.inputFile) {
        const lines = createInterface({ input: createReadStream(opts.inputFile), crlfDelay: Infinity });
        let n = 0;
        for await (const line of lines) {
          n += 1;
          if (!line.trim()) continue;
          const result = await runTool(name, parseJson(line, `${opts.inputFile}:${n}`), ctx);
          process.stdout.write(`${JSON.stringify(result)}\n`);
        }
        return;
      }
      const result = await runTool(name, parseJson(opts.input ?? '{}', '--input'), ctx);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
