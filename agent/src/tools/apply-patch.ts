import { stat } from 'node:fs/promises';
import { applyPatch, parsePatch } from 'diff';
import type { StructuredPatch } from 'diff';
import { z } from 'zod';
import { PatchFailedError } from '../errors.js';
import { atomicWriteFile, fileFailure, notFound, readText } from './support/fs-common.js';
import { displayPath, resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool, toolError } from './support/types.js';

function patchFailed(message: string) {
  const e = new PatchFailedError(message);
  return toolError(e.message, e.code);
}

// Something that looks like a unified diff at all: file headers or a hunk header.
const DIFF_MARKERS = /^(---|\+\+\+|@@) /m;

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description:
    'Apply a unified diff to one existing workspace file. Only the first file patch in the diff is used, and it is ' +
    'applied to target_file whatever its ---/+++ headers say. Nothing is written if a hunk does not match.',
  schema: z
    .object({
      target_file: z.string().min(1).describe('Path of the existing file to patch, relative to the workspace root.'),
      diff_content: z.string().describe('A unified diff (as from `diff -u` or `git diff`) with @@ hunks.'),
    })
    .strict(),
  mutating: true,
  async run({ target_file, diff_content }, ctx) {
    try {
      const abs = await resolveInWorkspace(ctx, 'apply_patch', target_file);
      if (!(await stat(abs).catch(() => undefined))?.isFile()) return notFound(`Target file '${target_file}' does not exist.`);
      let patches: StructuredPatch[];
      try {
        patches = parsePatch(diff_content);
      } catch {
        return patchFailed('Could not parse diff content.');
      }
      // The first file patch with hunks; its headers are ignored, so it always lands on target_file.
      const first = patches.find((p) => p.hunks.length > 0);
      if (!first) return patchFailed(DIFF_MARKERS.test(diff_content) ? 'No patches found in diff.' : 'Could not parse diff content.');
      const { text: source } = await readText(ctx, 'apply_patch', abs);
      let patched: string | false;
      try {
        patched = applyPatch(source, first);
      } catch (err) {
        return patchFailed(`Error applying patch: ${(err as Error).message}`);
      }
      if (patched === false) return patchFailed('Failed to apply patch. Hunks might not match.');
      await atomicWriteFile(ctx, 'apply_patch', abs, patched);
      return { error: false, path: displayPath(ctx, abs), message: 'Patch applied successfully.' };
    } catch (err) {
      return fileFailure(ctx, err, target_file);
    }
  },
});
