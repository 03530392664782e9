import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { FileNotFoundError } from '../errors.js';
import { capBytes, fileFailure, normalizeExtensions, pySuffix, readText, sliceCodePoints, walkFiles } from './support/fs-common.js';
import type { WalkedFile } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool, toolError } from './support/types.js';

const TRUNCATED = '\n...[TRUNCATED]...';

export const readFilesInDirectoryTool = defineTool({
  name: 'read_files_in_directory',
  description:
    'Read several text files of one workspace folder at once (optionally recursive, filtered by extension); ' +
    'each file is a block headed "--- FILE: <path> ---".',
  schema: z
    .object({
      directory_path: z.string().min(1).describe('Folder to read, relative to the workspace root.'),
      extensions: z
        .array(z.string().min(1))
        .nullish()
        .describe('Only read files with these extensions, e.g. [".py", ".md"]; omit to read any file.'),
      recursive: z.boolean().default(false).describe('Also read files in subfolders (hidden folders such as .git are skipped).'),
      max_files: z.number().int().min(1).max(1000).default(10).describe('Read at most this many files (default 10).'),
      max_size_per_file: z
        .number()
        .int()
        .min(1)
        .max(10_000_000)
        .default(10_000)
        .describe('Characters shown per file; longer files are cut and marked ...[TRUNCATED]... (default 10000).'),
    })
    .strict(),
  mutating: false,
  async run({ directory_path, extensions, recursive, max_files, max_size_per_file }, ctx) {
    try {
      const root = await resolveInWorkspace(ctx, 'read_files_in_directory', directory_path);
      if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
        const e = new FileNotFoundError(`Error: Directory '${directory_path}' does not exist or is not a directory.`);
        return toolError(e.message, e.code);
      }
      const exts = normalizeExtensions(extensions);
      const files: WalkedFile[] = [];
      for await (const file of walkFiles(ctx, 'read_files_in_directory', root, recursive ? { skipHiddenDirs: true } : { maxDepth: 1 })) {
        if (exts && !exts.has(pySuffix(file.name))) continue;
        files.push(file);
        if (files.length >= max_files) break;
      }
      if (!files.length) return `No matching files found in '${directory_path}'.`;
      const maxBytes = ctx.config.tools.outputMaxBytes;
      const blocks: string[] = [];
      for (const file of files) {
        try {
          // 4 bytes per character at most: enough bytes to fill max_size_per_file characters, no more.
          const read = await readText(ctx, 'read_files_in_directory', file.real, { maxBytes: Math.min(max_size_per_file * 4 + 4, maxBytes + 4) });
          const cut = sliceCodePoints(read.text, max_size_per_file);
          const truncated = cut.truncated || (read.truncated && Array.from(read.text).length >= max_size_per_file);
          blocks.push(`--- FILE: ${file.rel} ---\n${cut.text}${truncated || read.truncated ? TRUNCATED : ''}\n`);
        } catch (err) {
          blocks.push(`--- FILE: ${file.rel} ---\nError reading file: ${fileFailure(ctx, err, file.rel).message.replace(/^Error: /, '')}\n`);
        }
      }
      const out = capBytes(blocks.join('\n'), maxBytes);
      return out.truncated ? `${out.text}\n... (output truncated at ${maxBytes} bytes)` : out.text;
    } catch (err) {
      return fileFailure(ctx, err, directory_path);
    }
  },
});
