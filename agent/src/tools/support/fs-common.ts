import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { RE2JS } from 're2js';
import { FileNotFoundError, FileOperationFailedError, PatternInvalidError, PatternUnsupportedError, errorCode } from '../../errors.js';
import { assertOpenedInside, descriptorPath, isInsideWorkspace } from './path-sandbox.js';
import type { ToolContext, ToolErrorResult } from './types.js';
import { toolError } from './types.js';

/*
 * Race-free file access. resolveInWorkspace checks a *name*; a second process can swap a directory on that
 * path for a symlink before the name is opened. So every read, write, listing and rename here goes through
 * a descriptor whose real path is verified after opening (assertOpenedInside), and names below a directory
 * are looked up through that directory's descriptor (`/proc/self/fd/<fd>/<name>`, one component, never
 * following a symlink at the end): what was verified is what gets used.
 */

/**
 * A directory open and verified inside the workspace. `at(name)` names an entry of this very directory, even
 * if its path has since been switched for a symlink: lookups start from the descriptor, not the path.
 */
export class WorkspaceDir {
  private constructor(
    private readonly ctx: ToolContext,
    private readonly tool: string,
    private readonly handle: FileHandle,
    /** The path it was opened as (for messages and refusals). */
    readonly path: string,
  ) {}

  /** Opens `opened` (an absolute path, or `at()` of a verified parent) as a directory and verifies it. */
  static async open(ctx: ToolContext, tool: string, path: string, opened: string = path): Promise<WorkspaceDir> {
    const handle = await open(opened, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await assertOpenedInside(ctx, tool, path, handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new WorkspaceDir(ctx, tool, handle, path);
  }

  /** The descriptor's own path: readdir() of it lists this directory. */
  get self(): string {
    return descriptorPath(this.handle);
  }

  /** An entry of this directory by one path component, looked up from the descriptor. */
  at(name: string): string {
    if (!name || name === '.' || name === '..' || name.includes('/')) throw new Error(`not a single path component: ${name}`);
    return `${this.self}/${name}`;
  }

  /** Re-verifies that the directory is still inside the workspace (it may have been moved since it was opened). */
  async verify(): Promise<void> {
    await assertOpenedInside(this.ctx, this.tool, this.path, this.handle);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Runs `fn` with the verified directory `path`, closing it afterwards. */
export async function withWorkspaceDir<T>(ctx: ToolContext, tool: string, path: string, fn: (dir: WorkspaceDir) => Promise<T>): Promise<T> {
  const dir = await WorkspaceDir.open(ctx, tool, path);
  try {
    return await fn(dir);
  } finally {
    await dir.close();
  }
}

/**
 * Opens the folder holding `target` (an absolute path inside the workspace), verified. With `create`, the
 * missing folders are made one component at a time from the workspace root, each through its verified
 * parent, so a swapped symlink cannot make mkdir land outside. A file in the way is ENOTDIR, as open() says.
 */
export async function openParentDir(ctx: ToolContext, tool: string, target: string, opts: { create?: boolean } = {}): Promise<WorkspaceDir> {
  const parent = dirname(target);
  if (!opts.create) return WorkspaceDir.open(ctx, tool, parent);
  let dir = await WorkspaceDir.open(ctx, tool, ctx.workspaceRoot);
  try {
    let path = ctx.workspaceRoot;
    for (const part of relative(ctx.workspaceRoot, parent).split(sep).filter(Boolean)) {
      try {
        await mkdir(dir.at(part));
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      path = join(path, part);
      const next = await WorkspaceDir.open(ctx, tool, path, dir.at(part));
      await dir.close();
      dir = next;
    }
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
}

/**
 * Opens a regular file for reading, verified inside the workspace. Never follows a symlink at the last
 * component (O_NOFOLLOW) and never blocks on a FIFO (O_NONBLOCK, then a regular-file check).
 */
export async function openFileInWorkspace(ctx: ToolContext, tool: string, path: string, opened: string = path): Promise<FileHandle> {
  const handle = await open(opened, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    await assertOpenedInside(ctx, tool, path, handle);
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error('Not a regular file'), { code: 'ENOTREG' });
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** A temp name beside `name`, so the final rename stays in one directory (and is atomic). */
function tempName(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Creates a temp file in `dir`, lets `fill` write it, fsyncs it, verifies it, then renames it over `name` in
 * the same verified directory: a crash mid-write leaves the old file readable, never half of the new one.
 */
async function writeThroughTemp(ctx: ToolContext, tool: string, dir: WorkspaceDir, name: string, mode: number, fill: (tmp: FileHandle) => Promise<void>): Promise<void> {
  const tmp = tempName(name);
  try {
    const handle = await open(dir.at(tmp), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      await assertOpenedInside(ctx, tool, join(dir.path, tmp), handle);
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await dir.verify();
    await rename(dir.at(tmp), dir.at(name));
  } catch (err) {
    await rm(dir.at(tmp), { force: true });
    throw err;
  }
}

/**
 * Writes `target` (an absolute path inside the workspace) through a temp file and a rename in its verified
 * folder. Keeps the old file's mode. A symlink at `target` is replaced, never written through; `append`
 * copies the old content from a verified descriptor first. `createParents` makes the missing folders.
 */
export async function atomicWriteFile(
  ctx: ToolContext,
  tool: string,
  target: string,
  data: string,
  opts: { append?: boolean; createParents?: boolean } = {},
): Promise<void> {
  const dir = await openParentDir(ctx, tool, target, { create: opts.createParents });
  try {
    const name = basename(target);
    let old: Buffer | undefined;
    let mode: number | undefined;
    try {
      const handle = await openFileInWorkspace(ctx, tool, target, dir.at(name));
      try {
        mode = (await handle.stat()).mode & 0o7777;
        if (opts.append) old = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (err) {
      // A new file (or a symlink, replaced rather than followed): nothing to keep.
      if (!['ENOENT', 'ELOOP'].includes(errorCode(err) ?? '')) throw err;
    }
    await writeThroughTemp(ctx, tool, dir, name, mode ?? 0o666, async (tmp) => {
      if (old) await tmp.writeFile(old);
      await tmp.writeFile(data, 'utf8');
      if (mode !== undefined) await tmp.chmod(mode);
    });
  } finally {
    await dir.close();
  }
}

/** Copies `source` to `target` atomically (both absolute, inside the workspace), keeping mode and timestamps (shutil.copy2). */
export async function atomicCopyFile(ctx: ToolContext, tool: string, source: string, target: string): Promise<void> {
  const src = await openFileInWorkspace(ctx, tool, source);
  try {
    const st = await src.stat();
    const dir = await openParentDir(ctx, tool, target, { create: true });
    try {
      await writeThroughTemp(ctx, tool, dir, basename(target), st.mode & 0o7777, async (tmp) => {
        // Descriptor to descriptor: no name is looked up again once both ends are verified.
        const buf = Buffer.alloc(1 << 20);
        for (let pos = 0; ; ) {
          const { bytesRead } = await src.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          await tmp.write(buf, 0, bytesRead);
          pos += bytesRead;
        }
        await tmp.chmod(st.mode & 0o7777);
        await tmp.utimes(st.atime, st.mtime);
      });
    } finally {
      await dir.close();
    }
  } finally {
    await src.close();
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
 * A directory's entries, sorted by name, listed through its verified descriptor. Symlinks are resolved:
 * those pointing outside the workspace (or nowhere) are left out, so no walker ever reads or lists past the
 * sandbox through a link (and what it later opens is verified again).
 */
export async function listEntries(ctx: ToolContext, tool: string, dir: string): Promise<DirEntry[]> {
  const dirents = await withWorkspaceDir(ctx, tool, dir, (d) => readdir(d.self, { withFileTypes: true }));
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
 * determinism. Symlinked directories are not descended (no loops, no escapes); unreadable ones, and ones
 * switched to lead outside while walking (refused and reported), are skipped.
 */
export async function* walkFiles(ctx: ToolContext, tool: string, root: string, opts: WalkOptions = {}, relDir = '', depth = 1): AsyncGenerator<WalkedFile> {
  if (ctx.signal?.aborted) return;
  let entries: DirEntry[];
  try {
    entries = await listEntries(ctx, tool, relDir ? join(root, relDir) : root);
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
    if (e.kind === 'dir' && !e.symlink) yield* walkFiles(ctx, tool, root, opts, relDir ? `${relDir}/${e.name}` : e.name, depth + 1);
  }
}

/**
 * Reads a regular file of the workspace as UTF-8, at most `maxBytes` of it, through a verified descriptor
 * (openFileInWorkspace: no symlink swapped in after the sandbox check is followed out, no FIFO blocks).
 * `fatal: false` replaces invalid bytes instead of failing (grep reads anything).
 */
export async function readText(
  ctx: ToolContext,
  tool: string,
  path: string,
  opts: { maxBytes?: number; fatal?: boolean } = {},
): Promise<{ text: string; truncated: boolean; size: number }> {
  const handle = await openFileInWorkspace(ctx, tool, path);
  try {
    const st = await handle.stat();
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
const RE2_FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/**
 * Compiles a model-supplied pattern for the linear-time RE2 engine (re2js): matching time grows with the
 * input, never exponentially, so no pattern can stall the event loop. Accepts the Python spellings models
 * often write (`(?P<name>…)`, leading inline flags such as `(?i)`) and captureless lookbehind. Flags: i, m, s
 * (others, such as g, are ignored). Throws SyntaxError for a pattern that is invalid everywhere, and
 * AGT_ERR_PATTERN_UNSUPPORTED for valid JavaScript that RE2 cannot run in linear time (backreferences,
 * lookahead, `\u` escapes…).
 *
 * @example
 *   compilePattern('(?P<kw>import|return)\\b', 'i').test('Return x'); // true
 *   compilePattern('(a)\\1', ''); // throws AGT_ERR_PATTERN_UNSUPPORTED
 */
export function compilePattern(pattern: string, flags: string): RE2JS {
  let source = pattern.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  const inline = PY_INLINE_FLAGS.exec(source);
  let all = flags;
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if ('ims'.includes(f) && !all.includes(f)) all += f;
  }
  const re2Flags = [...all].reduce((acc, f) => acc | (RE2_FLAGS[f] ?? 0), RE2JS.LOOKBEHINDS);
  try {
    return RE2JS.compile(source, re2Flags);
  } catch (err) {
    // Compiling (never running) it natively tells an invalid pattern from one RE2 does not support, and
    // keeps the familiar JavaScript wording for the invalid ones; this throws SyntaxError for those.
    // eslint-disable-next-line security/detect-non-literal-regexp -- compiled only to classify the error, never executed
    new RegExp(source, all);
    const reason = err instanceof Error ? err.message : String(err);
    throw new PatternUnsupportedError(
      `Unsupported regex '${pattern}': the search engine is RE2 (linear time), without backreferences, lookahead or ` +
        `\\u escapes; rewrite the pattern without them (${reason}).`,
    );
  }
}

/** Error data for a pattern compilePattern refused: unsupported keeps its own code, anything else is invalid. */
export function patternFailure(invalidMessage: string, err: unknown): ToolErrorResult {
  if (errorCode(err) === 'AGT_ERR_PATTERN_UNSUPPORTED') return toolError((err as Error).message, 'AGT_ERR_PATTERN_UNSUPPORTED');
  const e = new PatternInvalidError(`${invalidMessage}: ${err instanceof Error ? err.message : String(err)}`);
  return toolError(e.message, e.code);
}

// As picomatch: longer globs are refused outright.
const MAX_GLOB_LENGTH = 65_536;
const REGEX_SPECIAL = /[\\^$.|?*+()[\]{}]/g;

/** The character class of a glob `[...]` starting at `i` (the `[`), or undefined when it never closes. */
function globClass(glob: string, i: number): { source: string; end: number } | undefined {
  let j = i + 1;
  const negate = glob[j] === '!' || glob[j] === '^';
  if (negate) j++;
  const start = j;
  if (glob[j] === ']') j++; // a leading ] is a member, as in fnmatch
  while (j < glob.length && glob[j] !== ']') j++;
  if (j >= glob.length) return undefined;
  const members = glob.slice(start, j).replace(/[\\[\]^]/g, '\\$&');
  return { source: negate ? `[^/${members}]` : `[${members}]`, end: j };
}

/** Index of the `}` closing the brace group opened at `i`, or -1. */
function closingBrace(glob: string, i: number): number {
  let depth = 0;
  for (let j = i; j < glob.length; j++) {
    if (glob[j] === '\\') j++;
    else if (glob[j] === '{') depth++;
    else if (glob[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

/** Splits a brace group's body on its top-level commas. */
function braceAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let j = 0; j < body.length; j++) {
    if (body[j] === '\\') j++;
    else if (body[j] === '{') depth++;
    else if (body[j] === '}') depth--;
    else if (body[j] === ',' && depth === 0) {
      parts.push(body.slice(last, j));
      last = j + 1;
    }
  }
  return [...parts, body.slice(last)];
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      const double = glob[i + 1] === '*';
      const wholeSegment = double && (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/');
      if (wholeSegment && glob[i + 2] === '/') {
        out += '(?:[^/]*/)*'; // "**/": any number of folders, none included
        i += 2;
      } else if (wholeSegment && out.endsWith('/')) {
        out = `${out.slice(0, -1)}(?:/.*)?`; // "dir/**": the folder itself too
        i += 1;
      } else if (wholeSegment) {
        out += '.*';
        i += 1;
      } else {
        while (glob[i + 1] === '*') i++;
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[' && globClass(glob, i)) {
      const cls = globClass(glob, i)!;
      out += cls.source;
      i = cls.end;
    } else if (ch === '{' && closingBrace(glob, i) > 0) {
      const end = closingBrace(glob, i);
      const alternatives = braceAlternatives(glob.slice(i + 1, end));
      out += alternatives.length > 1 ? `(?:${alternatives.map(globSource).join('|')})` : `\\{${globSource(alternatives[0]!)}\\}`;
      i = end;
    } else if (ch === '\\' && i + 1 < glob.length) {
      out += glob[++i]!.replace(REGEX_SPECIAL, '\\$&');
    } else {
      out += ch.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  return out;
}

/**
 * Compiles a model-supplied glob (fnmatch style, as picomatch with `dot: true`: `*` and `?` within one path
 * segment, `**` across folders, `[abc]` / `[!abc]`, `{a,b}`) for the linear-time RE2 engine: a backtracking
 * glob engine takes minutes over one long name for a pattern like `*a*a*a*a*a*a*a*a*a*a*a*a*b`. Throws
 * AGT_ERR_PATTERN_INVALID for a pattern longer than 65,536 characters.
 *
 * @example
 *   compileGlob('src/**\/*.ts').testExact('src/a/b.ts'); // true
 */
export function compileGlob(glob: string): RE2JS {
  if (glob.length > MAX_GLOB_LENGTH) throw new PatternInvalidError(`Input length: ${glob.length}, exceeds maximum allowed length: ${MAX_GLOB_LENGTH}`);
  try {
    return RE2JS.compile(globSource(glob), RE2JS.DOTALL);
  } catch (err) {
    throw new PatternInvalidError(err instanceof Error ? err.message : String(err));
  }
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
