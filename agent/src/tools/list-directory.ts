import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import { OutputBudget, fileFailure, withWorkspaceDir } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const listDirectoryTool = defineTool({
  name: 'list_directory',
  description: 'List the names of the files and folders directly inside a workspace folder, sorted.',
  schema: z
    .object({
      dir_path: z.string().default('.').describe('Folder to list, relative to the workspace root (default: the root).'),
    })
    .strict(),
  mutating: false,
  async run({ dir_path }, ctx) {
    try {
      const abs = await resolveInWorkspace(ctx, 'list_directory', dir_path);
      const names = (await withWorkspaceDir(ctx, 'list_directory', abs, (dir) => readdir(dir.self))).sort();
      if (!names.length) return `No files found in directory ${dir_path}`;
      const budget = new OutputBudget(ctx.config.tools.outputMaxBytes);
      const shown: string[] = [];
      for (const name of names) {
        if (!budget.take(name)) break;
        shown.push(name);
      }
      return budget.truncated ? [...shown, budget.note].join('\n') : shown.join('\n');
    } catch (err) {
      return fileFailure(ctx, err, dir_path);
    }
  },
});
