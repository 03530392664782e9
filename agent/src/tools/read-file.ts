import { z } from 'zod';
import { fileFailure, readText } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

export const readFileTool = defineTool({
  name: 'read_file',
  description: 'Read a UTF-8 text file from the workspace and return its contents (long files are cut at the output limit).',
  schema: z
    .object({
      file_path: z.string().min(1).describe('Path of the file to read, relative to the workspace root.'),
    })
    .strict(),
  mutating: false,
  async run({ file_path }, ctx) {
    try {
      const abs = await resolveInWorkspace(ctx, 'read_file', file_path);
      const max = ctx.config.tools.outputMaxBytes;
      const { text, truncated, size } = await readText(ctx, 'read_file', abs, { maxBytes: max });
      return truncated ? `${text}\n...[TRUNCATED: showing the first ${max} of ${size} bytes]...` : text;
    } catch (err) {
      return fileFailure(ctx, err, file_path);
    }
  },
});
