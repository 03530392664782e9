import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PathOutsideWorkspaceError } from '../errors.js';
import type { ToolContext } from './types.js';

const HINT = 'Paths must stay inside the workspace.';
// Percent-encoded dot, slash, backslash or NUL: a path that only means traversal once someone decodes it.
const ENCODED_TRAVERSAL = /%(2e|2f|5c|00|25)/i;

function refuse(ctx: ToolContext, tool: string, requested: string, resolved: string, why: string): never {
  ctx.onSecurityEvent?.({
    type: 'path_traversal',
    tool,
    detail: { requested_path: requested, resolved_path: resolved, allowed_root: ctx.workspaceRoot, reason: why },
  });
  throw new PathOutsideWorkspaceError(requested, ctx.workspaceRoot, `${HINT} (${why})`);
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Resolves the longest existing prefix through symlinks, then re-attaches the part that does not exist yet. */
async function realpathOfExistingPrefix(absolute: string): Promise<string> {
  let existing = absolute;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch {
      const parent = resolve(existing, '..');
      if (parent === existing) break;
      missing.unshift(existing.slice(parent.length).replace(/^[\\/]/, ''));
      existing = parent;
    }
  }
  // A dangling symlink lstat-s fine but realpath throws: treat it as pointing nowhere we can prove safe.
  const real = await realpath(existing);
  return missing.length ? join(real, ...missing) : real;
}

/**
 * Resolves `requested` (relative to the workspace root, or absolute) to a real path inside the
 * workspace, following symlinks, or throws AGT_ERR_PATH_OUTSIDE_WORKSPACE. Every file tool and the shell
 * call this before touching the file system.
 *
 * @example
 *   const abs = await resolveInWorkspace(ctx, 'read_file', 'src/../notes.md'); // <root>/notes.md
 *   await resolveInWorkspace(ctx, 'read_file', '../../etc/passwd'); // throws
 */
export async function resolveInWorkspace(ctx: ToolContext, tool: string, requested: string): Promise<string> {
  if (requested.includes('\0')) refuse(ctx, tool, requested, '', 'NUL byte in path');
  if (ENCODED_TRAVERSAL.test(requested)) refuse(ctx, tool, requested, '', 'percent-encoded path characters');
  const lexical = resolve(ctx.workspaceRoot, requested);
  if (!isInside(ctx.workspaceRoot, lexical)) refuse(ctx, tool, requested, lexical, 'resolves outside the workspace');
  let real: string;
  try {
    real = await realpathOfExistingPrefix(lexical);
  } catch {
    refuse(ctx, tool, requested, lexical, 'dangling or unreadable symlink');
  }
  if (!isInside(ctx.workspaceRoot, real)) refuse(ctx, tool, requested, real, 'a symlink points outside the workspace');
  return real;
}

/** The path as the model should see it: relative to the workspace root, with forward slashes. */
export function displayPath(ctx: ToolContext, absolute: string): string {
  return relative(ctx.workspaceRoot, absolute).split(sep).join('/') || '.';
}
