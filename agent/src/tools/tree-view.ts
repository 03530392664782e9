import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { FileNotFoundError } from '../errors.js';
import { OutputBudget, compileGlob, fileFailure, listEntries } from './support/fs-common.js';
import { resolveInWorkspace } from './support/path-sandbox.js';
import type { ToolContext } from './support/types.js';
import { defineTool, toolError } from './support/types.js';

interface TreeOptions {
  maxDepth: number;
  hidden: (name: string) => boolean;
  budget: OutputBudget;
  lines: string[];
}

async function walk(ctx: ToolContext, dir: string, prefix: string, depth: number, opts: TreeOptions): Promise<void> {
  if (depth > opts.maxDepth || opts.budget.truncated || ctx.signal?.aborted) return;
  let entries;
  try {
    entries = (await listEntries(ctx, 'tree_view', dir)).filter((e) => !opts.hidden(e.name));
  } catch {
    return;
  }
  for (const [i, entry] of entries.entries()) {
    const last = i === entries.length - 1;
    const line = `${prefix}${last ? '└── ' : '├── '}${entry.name}`;
    if (!opts.budget.take(line)) return;
    opts.lines.push(line);
    // Symlinked folders are shown but not entered: no loops, and no way out of the workspace.
    if (entry.kind === 'dir' && !entry.symlink) await walk(ctx, entry.path, prefix + (last ? '    ' : '│   '), depth + 1, opts);
  }
}

export const treeViewTool = defineTool({
  name: 'tree_view',
  description: 'Show a workspace folder as a sorted tree (├── / └──), down to max_depth levels.',
  schema: z
    .object({
      path: z.string().default('.').describe('Folder to show, relative to the workspace root (default: the root).'),
      max_depth: z.number().int().min(0).max(50).default(2).describe('How many levels below the folder to show (default 2).'),
      exclude: z
        .array(z.string().min(1))
        .nullish()
        .describe('Names to leave out, exactly or as a glob with "*", e.g. ["node_modules", "*.pyc"].'),
      show_hidden: z.boolean().default(false).describe('Also show entries whose name starts with a dot.'),
    })
    .strict(),
  mutating: false,
  async run({ path, max_depth, exclude, show_hidden }, ctx) {
    try {
      const root = await resolveInWorkspace(ctx, 'tree_view', path);
      if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
        const e = new FileNotFoundError(`Error: Directory '${path}' does not exist.`);
        return toolError(e.message, e.code);
      }
      const names = new Set(exclude ?? []);
      // As the original: only patterns containing "*" are globs, anything else must match the whole name.
      const globs = [...names].filter((p) => p.includes('*')).map((p) => compileGlob(p));
      const hidden = (name: string) => (!show_hidden && name.startsWith('.')) || names.has(name) || globs.some((g) => g.testExact(name));
      const budget = new OutputBudget(ctx.config.tools.outputMaxBytes);
      const lines = [`${basename(root)}/`];
      budget.take(lines[0]!);
      await walk(ctx, root, '', 1, { maxDepth: max_depth, hidden, budget, lines });
      if (budget.truncated) lines.push(budget.note);
      return lines.join('\n');
    } catch (err) {
      return fileFailure(ctx, err, path);
    }
  },
});
