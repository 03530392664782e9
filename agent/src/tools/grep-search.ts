import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { FileNotFoundError, PatternInvalidError } from '../errors.js';
import { OutputBudget, compilePattern, fileFailure, normalizeExtensions, pySuffix, readText, walkFiles } from './fs-common.js';
import { resolveInWorkspace } from './path-sandbox.js';
import { defineTool, toolError } from './types.js';

// Larger files are searched in their first 10 MB only: grep is for source and text, not for dumps.
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_LINE = '... (max results reached)';

export const grepSearchTool = defineTool({
  name: 'grep_search',
  description:
    'Search file contents under a workspace folder for a regular expression (JavaScript syntax). ' +
    'Prints "path:LINE: text" per match; hidden files and folders are skipped.',
  schema: z
    .object({
      query: z.string().min(1).describe('Text or regular expression to search for (JavaScript RegExp syntax; escape special characters for literal text).'),
      directory: z.string().default('.').describe('Folder to search in, relative to the workspace root (default: the root).'),
      extensions: z
        .array(z.string().min(1))
        .nullish()
        .describe('Only search files with these extensions, e.g. [".py", ".md"]; omit to search every file.'),
      case_sensitive: z.boolean().default(true).describe('Match case exactly (default true).'),
      max_results: z.number().int().min(1).max(10_000).default(50).describe('Stop after this many matching lines (default 50).'),
    })
    .strict(),
  mutating: false,
  async run({ query, directory, extensions, case_sensitive, max_results }, ctx) {
    let pattern: RegExp;
    try {
      pattern = compilePattern(query, case_sensitive ? '' : 'i');
    } catch (err) {
      const e = new PatternInvalidError(`Error: Invalid regex pattern '${query}': ${(err as Error).message}`);
      return toolError(e.message, e.code);
    }
    try {
      const root = await resolveInWorkspace(ctx, 'grep_search', directory);
      if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
        const e = new FileNotFoundError(`Error: Directory '${directory}' does not exist.`);
        return toolError(e.message, e.code);
      }
      const exts = normalizeExtensions(extensions);
      const budget = new OutputBudget(ctx.config.tools.outputMaxBytes);
      const results: string[] = [];
      for await (const file of walkFiles(ctx, 'grep_search', root, { skipHidden: true })) {
        if (exts && !exts.has(pySuffix(file.name))) continue;
        let text: string;
        try {
          ({ text } = await readText(ctx, 'grep_search', file.real, { maxBytes: MAX_FILE_BYTES, fatal: false }));
        } catch {
          continue;
        }
        if (text.slice(0, 8000).includes('\0')) continue;
        const lines = text.split(/\r\n|\r|\n/);
        if (lines.at(-1) === '') lines.pop();
        for (const [i, line] of lines.entries()) {
          if (!pattern.test(line)) continue;
          const hit = `${file.rel}:${i + 1}: ${line.replaceAll('\uFFFD', '').trim()}`;
          if (!budget.take(hit)) return [...results, budget.note].join('\n');
          results.push(hit);
          if (results.length >= max_results) return [...results, MAX_LINE].join('\n');
        }
      }
      return results.length ? results.join('\n') : `No matches found for '${query}' in '${directory}'.`;
    } catch (err) {
      return fileFailure(ctx, err, directory);
    }
  },
});
