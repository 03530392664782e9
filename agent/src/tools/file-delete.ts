import { lstat, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { fileFailure, notFound, openParentDir, operationFailed } from './support/fs-common.js';
import { resolveEntryInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const fileDeleteTool = defineTool({
  name: 'file_delete',
  description: 'Delete one file (not a folder) in the workspace. A symlink is removed itself, never its target.',
  schema: z
    .object({
      file_path: z.string().min(1).describe('Path of the file to delete, relative to the workspace root.'),
    })
    .strict(),
  mutating: true,
  async run({ file_path }, ctx) {
    try {
      const entry = await resolveEntryInWorkspace(ctx, 'file_delete', file_path);
      if (entry === ctx.workspaceRoot) return operationFailed(`Error: Is a directory: ${file_path}`);
      // Looked up and removed through the verified parent's descriptor: the checked folder is the one used.
      const dir = await openParentDir(ctx, 'file_delete', entry);
      try {
        const name = dir.at(basename(entry));
        const st = await lstat(name).catch(() => undefined);
        if (!st) return notFound(`Error: no such file or directory: ${file_path}`);
        if (st.isDirectory()) return operationFailed(`Error: Is a directory: ${file_path}`);
        await unlink(name);
      } finally {
        await dir.close();
      }
      return `File deleted successfully: ${file_path}.`;
    } catch (err) {
      return fileFailure(ctx, err, file_path);
    }
  },
});
