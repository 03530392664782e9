import { stat } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RE2JS } from 're2js';
import { z } from 'zod';
import { FileNotFoundError } from '../errors.js';
import { OutputBudget, compilePattern, fileFailure, normalizeExtensions, patternFailure, pySuffix, readText, walkFiles } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool, toolError } from './support/types.js';

// Larger files are searched in their first 10 MB only: grep is for source and text, not for dumps.
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_LINE = '... (max results reached)';
// Matching is linear (RE2), and the loop gets a turn after about this many characters, so requests keep
// being answered during a long search.
const YIELD_EVERY_CHARS = 64 * 1024;

export const grepSearchTool = defineTool({
  name: 'grep_search',
  description:
    'Search file contents under a workspace folder for a regular expression (RE2 syntax: no backreferences or lookahead). ' +
    'Prints "path:LINE: text" per match; hidden files and folders are skipped.',
  schema: z
    .object({
      query: z
        .string()
        .min(1)
        .describe('Text or regular expression to search for (RE2 syntax, as in Go or Python re without backreferences/lookahead; escape special characters for literal text).'),
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
    let pattern: RE2JS;
    try {
      pattern = compilePattern(query, case_sensitive ? '' : 'i');
    } catch (err) {
      return patternFailure(`Error: Invalid regex pattern '${query}'`, err);
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
      let sinceYield = 0;
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
          sinceYield += line.length;
          if (sinceYield >= YIELD_EVERY_CHARS) {
            sinceYield = 0;
            await yieldToEventLoop();
            if (ctx.signal?.aborted) break;
          }
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
