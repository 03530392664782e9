import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where allowlisted programs are looked up; fixed so nothing from the parent's PATH leaks in. */
export const SAFE_SEARCH_PATH: readonly string[] = ['/usr/local/bin', '/usr/bin', '/bin'];

/**
 * The whole environment a shell-tool child gets: a fixed PATH, HOME (never the workspace, so nothing a
 * program reads from HOME can be planted with write_file), a neutral locale and terminal, plus the
 * per-program pins the policy adds. Nothing is copied from the parent, so API keys, tokens and passwords
 * in the service's environment can never reach a child.
 *
 * @example
 *   buildChildEnv('/tmp/.home', { GIT_TERMINAL_PROMPT: '0' }); // { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp/.home', … }
 */
export function buildChildEnv(
  home: string,
  extra: Readonly<Record<string, string>> = {},
  searchPath: readonly string[] = SAFE_SEARCH_PATH,
): Record<string, string> {
  return { PATH: searchPath.join(':'), HOME: home, TMPDIR: '/tmp', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'dumb', ...extra };
}

/** The absolute path of `program` in `searchPath`, or undefined: the shell tool never uses the parent's PATH. */
export async function findProgram(program: string, searchPath: readonly string[] = SAFE_SEARCH_PATH): Promise<string | undefined> {
  for (const dir of searchPath) {
    const candidate = join(dir, program);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here: try the next directory.
    }
  }
  return undefined;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  /** Per-stream cap; past it the process group is killed and the output cut. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

export interface RunOutcome {
  /** Exit code, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly aborted: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES…). */
  readonly spawnError?: string;
}

// After killing the group, give the pipes this long to close before giving up on them (a grandchild that
// escaped the group with setsid could otherwise hold them open forever).
const PIPE_GRACE_MS = 1000;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** Collects one stream up to `max` bytes; reports the first byte past the cap. */
function capped(max: number, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  return {
    push(chunk: Buffer) {
      if (overflowed) return;
      const room = max - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = max;
        overflowed = true;
        onOverflow();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get overflowed() {
      return overflowed;
    },
  };
}

/**
 * Runs `file` with `args` and no shell, stdin closed, output capped, as the leader of its own process
 * group, so that on timeout, abort or overflow the whole group (grandchildren too) is SIGKILLed. This is
 * `spawn` rather than `execFile` only because execFile does not pass `detached` through to spawn.
 */
export function runProgram(file: string, args: readonly string[], opts: RunOptions): Promise<RunOutcome> {
  return new Promise((resolvePromise) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    // An argv array with shell:false: no shell ever parses the command.
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      shell: false,
      detached: true,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stop = () => {
      killGroup(child.pid);
      graceTimer ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_GRACE_MS);
    };
    const stdout = capped(opts.maxBytes, stop);
    const stderr = capped(opts.maxBytes, stop);
    child.stdout?.on('data', (c: Buffer) => stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolvePromise({
        exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        truncated: stdout.overflowed || stderr.overflowed,
        aborted,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on('error', (err) => {
      killGroup(child.pid);
      finish(null, err.message);
    });
    child.on('close', (code) => finish(code));
  });
}
