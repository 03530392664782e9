import { lstat, readlink, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PathOutsideWorkspaceError } from '../../errors.js';
import type { ToolContext } from './types.js';

const HINT = 'Paths must stay inside the workspace.';
// Percent-encoded dot, slash, backslash or NUL: a path that only means traversal once someone decodes it.
const ENCODED_TRAVERSAL = /%(2e|2f|5c|00|25)/i;
// Linux allows 40 symlink hops (MAXSYMLINKS); beyond that the path is a loop, not a file.
const MAX_SYMLINK_HOPS = 40;

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
  // Compare the first segment, not a prefix: "..foo" and "...." are ordinary names inside the root.
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** True when `absolute` (already symlink-resolved) lies inside the workspace root. */
export function isInsideWorkspace(ctx: ToolContext, absolute: string): boolean {
  return isInside(ctx.workspaceRoot, absolute);
}

/**
 * Resolves the longest existing prefix through symlinks, then re-attaches the part that does not exist yet.
 * A dangling symlink is followed by hand (readlink), so where it *would* write is checked too.
 */
async function realpathOfExistingPrefix(absolute: string, hops = 0): Promise<string> {
  if (hops > MAX_SYMLINK_HOPS) throw new Error('too many levels of symbolic links');
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
  let real: string;
  try {
    real = await realpath(existing);
  } catch (err) {
    // lstat saw it but realpath cannot: the last component is a dangling symlink (or a loop, caught by hops).
    if (!(await lstat(existing)).isSymbolicLink()) throw err;
    const parentReal = await realpathOfExistingPrefix(dirname(existing), hops + 1);
    real = await realpathOfExistingPrefix(resolve(parentReal, await readlink(existing)), hops + 1);
  }
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
  // `..\..\x` is a plain name on POSIX, but traversal to anything that treats backslash as a separator.
  if (requested.includes('\\')) {
    const asSlashes = resolve(ctx.workspaceRoot, requested.replaceAll('\\', '/'));
    if (!isInside(ctx.workspaceRoot, asSlashes)) refuse(ctx, tool, requested, asSlashes, 'backslash traversal');
  }
  let real: string;
  try {
    real = await realpathOfExistingPrefix(lexical);
  } catch {
    refuse(ctx, tool, requested, lexical, 'symlink loop or unreadable path');
  }
  if (!isInside(ctx.workspaceRoot, real)) refuse(ctx, tool, requested, real, 'a symlink points outside the workspace');
  return real;
}

/**
 * Like resolveInWorkspace (same checks, same refusals), but returns the directory entry itself rather than
 * what a symlink points to: delete and move act on the link, never on its target.
 *
 * @example
 *   await resolveEntryInWorkspace(ctx, 'file_delete', 'docs/link.md'); // <root>/docs/link.md, not its target
 */
export async function resolveEntryInWorkspace(ctx: ToolContext, tool: string, requested: string): Promise<string> {
  await resolveInWorkspace(ctx, tool, requested);
  const lexical = resolve(ctx.workspaceRoot, requested);
  if (lexical === ctx.workspaceRoot) return lexical;
  const parent = await resolveInWorkspace(ctx, tool, dirname(lexical));
  return join(parent, basename(lexical));
}

/**
 * The kernel's own record of what an open descriptor refers to (Linux procfs). Unlike a name, it cannot be
 * swapped for a symlink after the check: it is where the read or write through this descriptor really goes.
 * `/proc/self/fd/<fd>/<name>` is likewise resolved from the descriptor itself, which is how the file tools
 * get openat()-like lookups in Node. Without procfs this throws, and the callers fail closed.
 */
export function descriptorPath(handle: FileHandle): string {
  return `/proc/self/fd/${handle.fd}`;
}

/**
 * The second half of every file tool's check: after opening a name resolveInWorkspace approved, verifies
 * that the descriptor really is inside the workspace, so a directory swapped for a symlink between the
 * check and the open is refused (AGT_ERR_PATH_OUTSIDE_WORKSPACE, reported like any other refusal).
 * Returns the descriptor's real path.
 *
 * @example
 *   const h = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
 *   await assertOpenedInside(ctx, 'read_file', abs, h); // throws if abs led outside when it was opened
 */
export async function assertOpenedInside(ctx: ToolContext, tool: string, opened: string, handle: FileHandle): Promise<string> {
  let real = '';
  try {
    real = await readlink(descriptorPath(handle));
  } catch {
    refuse(ctx, tool, displayPath(ctx, opened), opened, 'cannot verify where the opened path leads (no /proc/self/fd)');
  }
  if (!isInside(ctx.workspaceRoot, real)) refuse(ctx, tool, displayPath(ctx, opened), real, 'the path was switched to lead outside the workspace');
  return real;
}

/** The path as the model should see it: relative to the workspace root, with forward slashes. */
export function displayPath(ctx: ToolContext, absolute: string): string {
  return relative(ctx.workspaceRoot, absolute).split(sep).join('/') || '.';
}
