import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { atomicCopyFile, fileFailure, notFound, operationFailed } from './support/fs-common.js';
import { displayPath, resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const copyFileTool = defineTool({
  name: 'copy_file',
  description: 'Copy a file inside the workspace (into a folder if the destination is one), keeping its mode and timestamps.',
  schema: z
    .object({
      source_path: z.string().min(1).describe('Path of the file to copy, relative to the workspace root.'),
      destination_path: z.string().min(1).describe('Where to put the copy: a file path, or an existing folder.'),
    })
    .strict(),
  mutating: true,
  async run({ source_path, destination_path }, ctx) {
    try {
      const src = await resolveInWorkspace(ctx, 'copy_file', source_path);
      let dst = await resolveInWorkspace(ctx, 'copy_file', destination_path);
      const srcStat = await stat(src).catch(() => undefined);
      if (!srcStat) return notFound(`Error: no such file or directory: ${source_path}`);
      if (srcStat.isDirectory()) return operationFailed(`Error: Is a directory: ${source_path}`);
      if ((await stat(dst).catch(() => undefined))?.isDirectory()) {
        // Re-check the joined name: the folder may hold a symlink of that name pointing elsewhere.
        const name = basename(resolve(ctx.workspaceRoot, source_path));
        dst = await resolveInWorkspace(ctx, 'copy_file', join(displayPath(ctx, dst), name));
      }
      if (src === dst) return operationFailed(`Error: '${source_path}' and '${destination_path}' are the same file`);
      await atomicCopyFile(ctx, 'copy_file', src, dst);
      return `File copied successfully from ${source_path} to ${destination_path}.`;
    } catch (err) {
      return fileFailure(ctx, err, source_path);
    }
  },
});
