import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { PatternInvalidError } from '../errors.js';
import { OutputBudget, compileGlob, fileFailure, notFound, walkFiles } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool, toolError } from './support/types.js';

export const fileSearchTool = defineTool({
  name: 'file_search',
  description:
    'Find files under a workspace folder, recursively, whose name matches a glob (fnmatch style: *, ?, [abc]). ' +
    'Returns their paths relative to that folder, one per line.',
  schema: z
    .object({
      dir_path: z.string().default('.').describe('Folder to search in, relative to the workspace root (default: the root).'),
      pattern: z
        .string()
        .min(1)
        .describe('Glob matched against each file name, e.g. "*.py" or "test_*"; a pattern with "/" is matched against the relative path.'),
    })
    .strict(),
  mutating: false,
  async run({ dir_path, pattern }, ctx) {
    let isMatch: (path: string) => boolean;
    // A slash-free pattern matches the file name only, as fnmatch did; one with "/" matches the relative path.
    const byPath = pattern.includes('/');
    try {
      // RE2 (linear time); "*" matches dotfiles too, as fnmatch's did.
      const glob = compileGlob(pattern);
      isMatch = (path) => glob.testExact(path);
    } catch (err) {
      const e = new PatternInvalidError(`Error: Invalid pattern '${pattern}': ${(err as Error).message}`);
      return toolError(e.message, e.code);
    }
    try {
      const abs = await resolveInWorkspace(ctx, 'file_search', dir_path);
      if (!(await stat(abs).catch(() => undefined))?.isDirectory()) return notFound(`Error: no such directory: ${dir_path}`);
      const budget = new OutputBudget(ctx.config.tools.outputMaxBytes);
      const matches: string[] = [];
      for await (const file of walkFiles(ctx, 'file_search', abs)) {
        if (!isMatch(byPath ? file.rel : file.name)) continue;
        if (!budget.take(file.rel)) {
          matches.push(budget.note);
          break;
        }
        matches.push(file.rel);
      }
      return matches.length ? matches.join('\n') : `No files found for pattern ${pattern} in directory ${dir_path}`;
    } catch (err) {
      return fileFailure(ctx, err, dir_path);
    }
  },
});
