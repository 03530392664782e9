import type { RE2JS } from 're2js';
import { z } from 'zod';
import { atomicWriteFile, compilePattern, fileFailure, patternFailure, pythonReplacementToJs, readText } from './support/fs-common.js';
import { displayPath, resolveInWorkspace } from './support/path-sandbox.js';
import { defineTool } from './support/types.js';

/** The original's flag letters: i, m, s; anything else is ignored, as it was. */
function regexFlags(flags: string | null | undefined): string {
  return [...new Set((flags ?? '').toLowerCase())].filter((f) => 'ims'.includes(f)).join('');
}

export const multiReplaceInFileTool = defineTool({
  name: 'multi_replace_in_file',
  description:
    'Apply several find/replace edits to one workspace file, in order; each edit sees the result of the previous one. ' +
    'Nothing is written if any regex is invalid.',
  schema: z
    .object({
      path: z.string().min(1).describe('Path of the file to edit, relative to the workspace root.'),
      replacements: z
        .array(
          z
            .object({
              find: z.string().describe('Text (or regex when use_regex) to find; an empty string is skipped.'),
              replace: z.string().describe('Replacement; with use_regex, groups are \\1, \\g<name> or $1.'),
            })
            .strict(),
        )
        .max(1000)
        .describe('The edits, applied in order; every occurrence of each is replaced.'),
      use_regex: z.boolean().default(false).describe('Treat each find as a regular expression (RE2 syntax: no backreferences or lookahead).'),
      flags: z.string().nullish().describe('Regex flags when use_regex: "i" ignore case, "m" multiline, "s" dot matches newline.'),
    })
    .strict(),
  mutating: true,
  async run({ path, replacements, use_regex, flags }, ctx) {
    try {
      const abs = await resolveInWorkspace(ctx, 'multi_replace_in_file', path);
      const { text: original } = await readText(ctx, 'multi_replace_in_file', abs);
      const shown = displayPath(ctx, abs);
      let content = original;
      let changes = 0;
      for (const { find, replace } of replacements) {
        if (!find) continue;
        if (use_regex) {
          let pattern: RE2JS;
          try {
            pattern = compilePattern(find, `g${regexFlags(flags)}`);
          } catch (err) {
            return patternFailure(`Invalid regex '${find}'`, err);
          }
          // RE2 (linear time): a model-supplied pattern cannot stall the service on a large file. The
          // capture-free test() runs on RE2's fast DFA and spares both capturing passes when nothing matches.
          if (!pattern.test(content)) continue;
          changes += [...pattern.matchAll(content)].length;
          content = pattern.matcher(content).replaceAll(pythonReplacementToJs(replace));
        } else {
          const parts = content.split(find);
          changes += parts.length - 1;
          content = parts.join(replace);
        }
      }
      if (content === original) return { error: false, path: shown, changes: 0, message: 'No matches replaced.' };
      await atomicWriteFile(ctx, 'multi_replace_in_file', abs, content);
      return { error: false, path: shown, changes, note: 'Content updated with multiple replacements.' };
    } catch (err) {
      return fileFailure(ctx, err, path);
    }
  },
});
