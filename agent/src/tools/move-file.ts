import { cp, lstat, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { errorCode } from '../errors.js';
import { fileFailure, notFound, openParentDir, operationFailed } from './support/fs-common.js';
import { displayPath, resolveEntryInWorkspace, resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const moveFileTool = defineTool({
  name: 'move_file',
  description: 'Move or rename a file or folder inside the workspace (into a folder if the destination is one).',
  schema: z
    .object({
      source_path: z.string().min(1).describe('Path of the file or folder to move, relative to the workspace root.'),
      destination_path: z.string().min(1).describe('The new path, or an existing folder to move it into.'),
    })
    .strict(),
  mutating: true,
  async run({ source_path, destination_path }, ctx) {
    try {
      // The entry itself: moving a symlink moves the link, not what it points to.
      const src = await resolveEntryInWorkspace(ctx, 'move_file', source_path);
      if (src === ctx.workspaceRoot) return operationFailed('Error: the workspace root cannot be moved');
      const dstReal = await resolveInWorkspace(ctx, 'move_file', destination_path);
      if (!(await lstat(src).catch(() => undefined))) return notFound(`Error: no such file or directory ${source_path}`);
      let dst: string;
      if ((await stat(dstReal).catch(() => undefined))?.isDirectory()) {
        dst = await resolveEntryInWorkspace(ctx, 'move_file', join(displayPath(ctx, dstReal), basename(src)));
        if (await lstat(dst).catch(() => undefined)) return operationFailed(`Error: Destination path '${displayPath(ctx, dst)}' already exists`);
      } else {
        dst = await resolveEntryInWorkspace(ctx, 'move_file', destination_path);
      }
      if (dst === src) return `File moved successfully from ${source_path} to ${destination_path}.`;
      // Both ends through their verified folders' descriptors: a folder switched for a symlink after the
      // checks above moves nothing in from, or out to, anywhere else.
      const srcDir = await openParentDir(ctx, 'move_file', src);
      try {
        const dstDir = await openParentDir(ctx, 'move_file', dst, { create: true });
        try {
          const from = srcDir.at(basename(src));
          const to = dstDir.at(basename(dst));
          if (!(await lstat(from).catch(() => undefined))) return notFound(`Error: no such file or directory ${source_path}`);
          try {
            await rename(from, to);
          } catch (err) {
            if (errorCode(err) !== 'EXDEV') throw err;
            // Workspace spans two file systems (a mount inside it): copy, then remove the original.
            await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
            await rm(from, { recursive: true });
          }
        } finally {
          await dstDir.close();
        }
      } finally {
        await srcDir.close();
      }
      return `File moved successfully from ${source_path} to ${destination_path}.`;
    } catch (err) {
      return fileFailure(ctx, err, source_path);
    }
  },
});
