import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { atomicWriteFile, fileFailure, operationFailed } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Write text to a file in the workspace, creating it (and its folders) if needed; overwrites unless append is true.',
  schema: z
    .object({
      file_path: z.string().min(1).describe('Path of the file to write, relative to the workspace root.'),
      text: z.string().describe('The text to write.'),
      append: z.boolean().default(false).describe('Append to the end of the file instead of replacing its contents.'),
    })
    .strict(),
  mutating: true,
  async run({ file_path, text, append }, ctx) {
    try {
      const abs = await resolveInWorkspace(ctx, 'write_file', file_path);
      const existing = await stat(abs).catch(() => undefined);
      if (existing?.isDirectory()) return operationFailed(`Error: Is a directory: ${file_path}`);
      await atomicWriteFile(ctx, 'write_file', abs, text, { append, createParents: true });
      return `File written successfully to ${file_path}.`;
    } catch (err) {
      return fileFailure(ctx, err, file_path);
    }
  },
});
