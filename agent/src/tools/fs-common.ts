import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, chmod, copyFile, mkdir, open, readdir, realpath, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { FileNotFoundError, FileOperationFailedError, errorCode } from '../errors.js';
import { isInsideWorkspace } from './path-sandbox.js';
import type { ToolContext, ToolErrorResult } from './types.js';
import { toolError } from './types.js';

/** A temp name beside `target`, so the final rename stays on one file system (and is atomic). */
function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function existingMode(target: string): Promise<number | undefined> {
  try {
    return (await stat(target)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes through a temp file and a rename: a crash mid-write leaves the old file readable, never half of
 * the new one. Keeps the old file's mode. A symlink at `target` is replaced, never written through.
 */
export async function atomicWriteFile(target: string, data: string, opts: { append?: boolean } = {}): Promise<void> {
  const tmp = tempSibling(target);
  const mode = await existingMode(target);
  try {
    if (opts.append && mode !== undefined) {
      await copyFile(target, tmp, constants.COPYFILE_EXCL);
      await appendFile(tmp, data, 'utf8');
    } else {
      await writeFile(tmp, data, { encoding: 'utf8', flag: 'wx', mode: mode ?? 0o666 });
    }
    await fsyncFile(tmp);
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Copies `source` to `target` atomically, keeping mode and timestamps (Python's shutil.copy2). */
export async function atomicCopyFile(source: string, target: string): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await copyFile(source, tmp, constants.COPYFILE_EXCL);
    const st = await stat(source);
    await chmod(tmp, st.mode & 0o7777);
    await utimes(tmp, st.atime, st.mtime);
    await fsyncFile(tmp);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Creates the folders above `target`; a file in the way is reported as ENOTDIR, as open() would. */
export async function ensureParentDir(target: string): Promise<void> {
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (err) {
    if (errorCode(err) === 'EEXIST') throw Object.assign(new Error('Not a directory'), { code: 'ENOTDIR' });
    throw err;
  }
}

export type EntryKind = 'file' | 'dir' | 'other';

export interface DirEntry {
  name: string;
  /** The entry's own path (a symlink's, not its target's). */
  path: string;
  /** Where reads should go: the symlink-resolved path, always inside the workspace. */
  real: string;
  kind: EntryKind;
  symlink: boolean;
}

/**
 * A directory's entries, sorted by name. Symlinks are resolved: those pointing outside the workspace (or
 * nowhere) are left out, so no walker ever reads or lists past the sandbox through a link.
 */
export async function listEntries(ctx: ToolContext, dir: string): Promise<DirEntry[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entries: DirEntry[] = [];
  for (const d of dirents) {
    const path = join(dir, d.name);
    if (!d.isSymbolicLink()) {
      entries.push({ name: d.name, path, real: path, kind: d.isFile() ? 'file' : d.isDirectory() ? 'dir' : 'other', symlink: false });
      continue;
    }
    try {
      const real = await realpath(path);
      if (!isInsideWorkspace(ctx, real)) continue;
      const st = await stat(real);
      entries.push({ name: d.name, path, real, kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', symlink: true });
    } catch {
      // Dangling or looping link: nothing to show or read.
    }
  }
  return entries;
}

export interface WalkOptions {
  /** Skip files and directories whose name starts with a dot (and never descend into them). */
  skipHidden?: boolean;
  /** Never descend into directories whose name starts with a dot (.git, .venv…); dotfiles still count. */
  skipHiddenDirs?: boolean;
  /** Depth 1 is the root's own entries. */
  maxDepth?: number;
}

export interface WalkedFile extends DirEntry {
  /** Path relative to the walk root, with forward slashes. */
  rel: string;
}

/**
 * Files under `root` in os.walk order (a directory's files, then its subdirectories), sorted for
 * determinism. Symlinked directories are not descended (no loops, no escapes); unreadable ones are skipped.
 */
export async function* walkFiles(ctx: ToolContext, root: string, opts: WalkOptions = {}, relDir = '', depth = 1): AsyncGenerator<WalkedFile> {
  if (ctx.signal?.aborted) return;
  let entries: DirEntry[];
  try {
    entries = await listEntries(ctx, relDir ? join(root, relDir) : root);
  } catch {
    return;
  }
  const visible = opts.skipHidden ? entries.filter((e) => !e.name.startsWith('.')) : entries;
  for (const e of visible) {
    if (e.kind === 'file') yield { ...e, rel: relDir ? `${relDir}/${e.name}` : e.name };
  }
  if (opts.maxDepth !== undefined && depth >= opts.maxDepth) return;
  for (const e of visible) {
    if (opts.skipHiddenDirs && e.name.startsWith('.')) continue;
    if (e.kind === 'dir' && !e.symlink) yield* walkFiles(ctx, root, opts, relDir ? `${relDir}/${e.name}` : e.name, depth + 1);
  }
}

/**
 * Reads a regular file as UTF-8, at most `maxBytes` of it. Refuses to follow a symlink swapped in after the
 * sandbox check (O_NOFOLLOW) and never blocks on a FIFO (O_NONBLOCK, then a regular-file check).
 * `fatal: false` replaces invalid bytes instead of failing (grep reads anything).
 */
export async function readText(
  path: string,
  opts: { maxBytes?: number; fatal?: boolean } = {},
): Promise<{ text: string; truncated: boolean; size: number }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error('Not a regular file'), { code: 'ENOTREG' });
    const limit = opts.maxBytes === undefined ? st.size : Math.min(st.size, opts.maxBytes);
    const buf = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const { bytesRead } = await handle.read(buf, filled, limit - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = st.size > filled;
    // stream: true on a cut read, so a character split at the cut is dropped rather than reported as invalid.
    const text = new TextDecoder('utf-8', { fatal: opts.fatal ?? true }).decode(buf.subarray(0, filled), { stream: truncated });
    return { text, truncated, size: st.size };
  } finally {
    await handle.close();
  }
}

/** Python's PurePath.suffix: ".gz" for "a.tar.gz", "" for ".bashrc" and "README". */
export function pySuffix(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 && i < name.length - 1 ? name.slice(i) : '';
}

/** Extensions as the model writes them ("py" or ".py") in the dotted form pySuffix returns. */
export function normalizeExtensions(exts: readonly string[] | null | undefined): Set<string> | undefined {
  return exts && exts.length ? new Set(exts.map((e) => (e.startsWith('.') ? e : `.${e}`))) : undefined;
}

/** Caps what a tool returns at config.tools.outputMaxBytes, so one call cannot flood the model's context. */
export class OutputBudget {
  private used = 0;
  truncated = false;

  constructor(readonly maxBytes: number) {}

  /** Reserves room for one line; false (and `truncated`) once the budget is spent. */
  take(line: string): boolean {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (this.used + bytes > this.maxBytes) {
      this.truncated = true;
      return false;
    }
    this.used += bytes;
    return true;
  }

  get note(): string {
    return `... (output truncated at ${this.maxBytes} bytes)`;
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return { text, truncated: false };
  const cut = new TextDecoder('utf-8').decode(buf.subarray(0, maxBytes), { stream: true });
  return { text: cut, truncated: true };
}

/** First `n` characters counted as code points, as Python slices strings. */
export function sliceCodePoints(text: string, n: number): { text: string; truncated: boolean } {
  if (text.length <= n) return { text, truncated: false };
  const points = Array.from(text);
  return points.length <= n ? { text, truncated: false } : { text: points.slice(0, n).join(''), truncated: true };
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EBUSY: 'Resource busy',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EINVAL: 'Invalid argument',
  EXDEV: 'Cross-device link',
  ENOTREG: 'Not a regular file',
};

/**
 * Turns anything a file tool caught into error data: sandbox refusals keep their own code, OS errors
 * get a short reason naming the path as the model gave it (never the host's absolute path).
 */
export function fileFailure(ctx: ToolContext, err: unknown, shown: string): ToolErrorResult {
  const code = errorCode(err);
  if (code?.startsWith('AGT_ERR_')) return toolError(err instanceof Error ? err.message : String(err), code);
  if (code === 'ENOENT') return notFound(`Error: no such file or directory: ${shown}`);
  const reason =
    code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
      ? `not valid UTF-8 text: ${shown}`
      : code && ERRNO_TEXT[code]
        ? `${ERRNO_TEXT[code]}: ${shown}`
        : scrubRoot(ctx, err instanceof Error ? err.message : String(err));
  const e = new FileOperationFailedError(`Error: ${reason}`);
  return toolError(e.message, e.code);
}

/** Error data for a missing file, with the original tools' wording. */
export function notFound(message: string): ToolErrorResult {
  const e = new FileNotFoundError(message);
  return toolError(e.message, e.code);
}

/** Error data for a file-system failure the tool detected itself. */
export function operationFailed(message: string): ToolErrorResult {
  const e = new FileOperationFailedError(message);
  return toolError(e.message, e.code);
}

function scrubRoot(ctx: ToolContext, text: string): string {
  return text.replaceAll(ctx.workspaceRoot + sep, '').replaceAll(ctx.workspaceRoot, '.');
}

const PY_INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

/**
 * Compiles a pattern as a JavaScript RegExp, accepting the Python spellings models often write:
 * `(?P<name>…)`, `(?P=name)` and leading inline flags such as `(?i)`. Throws SyntaxError when invalid.
 */
export function compilePattern(pattern: string, flags: string): RegExp {
  let source = pattern.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  const inline = PY_INLINE_FLAGS.exec(source);
  let all = flags;
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if ('ims'.includes(f) && !all.includes(f)) all += f;
  }
  // eslint-disable-next-line security/detect-non-literal-regexp -- the pattern is the tool's input by design
  return new RegExp(source, all);
}

const PY_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/**
 * Converts a Python `re.sub` replacement to a JavaScript one: `\1` and `\g<1>` become `$01`, `\g<name>`
 * becomes `$<name>`, `\g<0>` becomes `$&`, `\n`-style escapes become characters. JavaScript's own `$1`
 * keeps working. Two-digit `$NN` so that `\g<1>0` stays group 1 followed by "0".
 */
export function pythonReplacementToJs(repl: string): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const ch = repl[i]!;
    if (ch !== '\\' || i === repl.length - 1) {
      out += ch;
      continue;
    }
    const next = repl[i + 1]!;
    const digits = /^\d{1,2}/.exec(repl.slice(i + 1));
    const named = /^g<(\w+)>/.exec(repl.slice(i + 1));
    if (digits) {
      out += groupRef(Number(digits[0]));
      i += digits[0].length;
    } else if (named) {
      const ref = named[1]!;
      out += /^\d+$/.test(ref) ? groupRef(Number(ref)) : `$<${ref}>`;
      i += named[0].length;
    } else if (next in PY_ESCAPES) {
      out += PY_ESCAPES[next];
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

function groupRef(n: number): string {
  return n === 0 ? '$&' : `$${String(n).padStart(2, '0')}`;
}
