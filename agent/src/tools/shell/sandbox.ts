import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, runProgram, SAFE_SEARCH_PATH } from './exec.js';

/**
 * The OS boundary under every process the shell tool starts: bubblewrap (user, PID, network, IPC, UTS and
 * cgroup namespaces) inside prlimit. What a tool child sees:
 * - the workspace, read-write, at its own path: the only place a write can outlive the call;
 * - /usr (and the /bin, /lib… links to it), the search path and a short list of /etc files, read-only;
 * - a private /tmp and HOME (tmpfs, size-capped, gone when the call ends), so no config can be planted in HOME;
 * - its own /proc: only its own processes, never the service's environment;
 * - no network at all (a fresh network namespace has only a loopback that nobody listens on);
 * - CPU seconds, address space, processes, file size and open files capped (prlimit);
 * - a PID namespace whose init dies with the call (--die-with-parent): nothing outlives it, setsid or not.
 * bwrap itself starts with the scrubbed child environment, never the service's.
 */

export type SandboxMode = 'auto' | 'required' | 'off';

export interface SandboxLimits {
  readonly cpuSeconds: number;
  readonly memoryMb: number;
  readonly processes: number;
  readonly fileSizeMb: number;
  readonly openFiles: number;
  readonly tmpMb: number;
}

export interface SandboxConfig {
  readonly mode: SandboxMode;
  readonly limits: SandboxLimits;
}

export interface SandboxStatus {
  /** True when tool children run inside the sandbox. */
  readonly confined: boolean;
  readonly mode: SandboxMode;
  /** `bwrap`, `unavailable` or `off`: what /ready and the start-up log say. */
  readonly state: 'bwrap' | 'unavailable' | 'off';
  /** Why it is unavailable, or what is not enforced. */
  readonly detail: string;
  readonly bwrap?: string;
  readonly prlimit?: string;
}

/** HOME inside the sandbox: on the private /tmp, so it vanishes with the call and is never the workspace. */
export const SANDBOX_HOME = '/tmp/.home';

// Files of /etc a program may need (users, libraries, certificates, Python's site config); nothing else of /etc.
const ETC_FILES = [
  'alternatives', 'ssl', 'ca-certificates', 'ca-certificates.conf', 'passwd', 'group', 'nsswitch.conf', 'hosts', 'localtime',
  'timezone', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'mime.types', 'os-release', 'debian_version', 'python3',
  'python3.11', 'python3.12', 'python3.13',
];
// Top-level system directories that merged-/usr systems keep as links into /usr.
const ROOT_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

// The host's layout does not change while the service runs: read it once, not on every shell call.
let rootLinks: Promise<string[]> | undefined;
const rootLinkArgs = (): Promise<string[]> => (rootLinks ??= readRootLinks());

async function readRootLinks(): Promise<string[]> {
  const args: string[] = [];
  for (const name of ROOT_LINKS) {
    const path = `/${name}`;
    const st = await lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink()) args.push('--symlink', await readlink(path), path);
    else if (st?.isDirectory()) args.push('--ro-bind', path, path);
  }
  return args;
}

export interface ConfinedRun {
  readonly workspaceRoot: string;
  readonly cwd: string;
  readonly searchPath: readonly string[];
  readonly limits: SandboxLimits;
}

const MB = 1024 * 1024;

/** prlimit's options for the limits (it sets them on itself, then execs bwrap, which passes them on). */
export function limitArgs(limits: SandboxLimits): string[] {
  return [
    `--cpu=${limits.cpuSeconds}`,
    `--as=${limits.memoryMb * MB}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeMb * MB}`,
    `--nofile=${limits.openFiles}`,
  ];
}

/**
 * The argv that runs `exe args` confined: `prlimit <limits> -- bwrap <namespaces, mounts> -- exe args`.
 *
 * @example
 *   confinedArgv(status, { workspaceRoot: '/ws', cwd: '/ws', searchPath: SAFE_SEARCH_PATH, limits }, '/usr/bin/git', ['status']);
 *   // { file: '/usr/bin/prlimit', args: ['--cpu=60', …, '--', '/usr/bin/bwrap', '--unshare-all', …, '--', '/usr/bin/git', 'status'] }
 */
export async function confinedArgv(status: SandboxStatus, run: ConfinedRun, exe: string, args: readonly string[]): Promise<{ file: string; args: string[] }> {
  if (!status.confined || !status.bwrap || !status.prlimit) throw new Error('confinedArgv needs an available sandbox');
  const bwrapArgs = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/usr',
    '/usr',
    ...(await rootLinkArgs()),
    ...ETC_FILES.flatMap((f) => ['--ro-bind-try', `/etc/${f}`, `/etc/${f}`]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(run.limits.tmpMb * MB),
    '--tmpfs',
    '/tmp',
    '--dir',
    SANDBOX_HOME,
    // After /tmp, so a search path or workspace under /tmp is mounted over the private one, not hidden by it.
    ...run.searchPath.filter((dir) => !dir.startsWith('/usr/')).flatMap((dir) => ['--ro-bind-try', dir, dir]),
    '--bind',
    run.workspaceRoot,
    run.workspaceRoot,
    '--chdir',
    run.cwd,
  ];
  return { file: status.prlimit, args: [...limitArgs(run.limits), '--', status.bwrap, ...bwrapArgs, '--', exe, ...args] };
}

const probes = new Map<string, Promise<SandboxStatus>>();

const ROOT_NPROC_NOTE = 'the process limit is not enforced while the service runs as root (the kernel exempts root from RLIMIT_NPROC)';

async function probe(config: SandboxConfig, searchPath: readonly string[]): Promise<SandboxStatus> {
  const { mode } = config;
  if (mode === 'off') return { confined: false, mode, state: 'off', detail: 'SHELL_SANDBOX=off: tool processes run UNCONFINED (unsafe)' };
  const unavailable = (detail: string): SandboxStatus => ({ confined: false, mode, state: 'unavailable', detail });
  const [bwrap, prlimit, truePath] = await Promise.all(['bwrap', 'prlimit', 'true'].map((name) => findProgram(name, searchPath)));
  if (!bwrap) return unavailable(`bubblewrap (bwrap) is not installed in ${searchPath.join(':')}`);
  if (!prlimit) return unavailable('prlimit (util-linux) is not installed');
  if (!truePath) return unavailable('no `true` program to probe the sandbox with');
  const ws = await mkdtemp(join(tmpdir(), 'lm-sandbox-probe-'));
  try {
    const candidate: SandboxStatus = { confined: true, mode, state: 'bwrap', detail: '', bwrap, prlimit };
    const argv = await confinedArgv(candidate, { workspaceRoot: ws, cwd: ws, searchPath, limits: config.limits }, truePath, []);
    const out = await runProgram(argv.file, argv.args, { cwd: ws, env: { PATH: searchPath.join(':') }, timeoutMs: 10_000, maxBytes: 64_000 });
    if (out.exitCode !== 0) {
      const why = (out.stderr.trim() || out.spawnError || `exit ${out.exitCode}`).split('\n')[0];
      return unavailable(`bwrap cannot start a sandbox here (${why}); user namespaces may be disabled`);
    }
    return { ...candidate, detail: process.getuid?.() === 0 ? ROOT_NPROC_NOTE : 'all limits enforced' };
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}

/**
 * Whether tool children can be confined here, probed once per process (a real `bwrap … true`) and cached.
 * bwrap and prlimit are looked up in the shell tool's search path, never the service's PATH.
 *
 * @example
 *   const status = await sandboxStatus(config.tools.shell.sandbox); // { confined: true, state: 'bwrap', … }
 */
export function sandboxStatus(config: SandboxConfig, searchPath: readonly string[] = SAFE_SEARCH_PATH): Promise<SandboxStatus> {
  const key = JSON.stringify([config, searchPath]);
  let status = probes.get(key);
  if (!status) {
    status = probe(config, searchPath);
    probes.set(key, status);
  }
  return status;
}

/**
 * The one line every entry point (serve, chat, tool) prints at start: the sandbox state, as /ready reports it.
 *
 * @example
 *   sandboxNotice(await sandboxStatus(config.tools.shell.sandbox)); // { level: 'warn', message: 'sandbox: unavailable (…)' }
 */
export function sandboxNotice(status: SandboxStatus): { level: 'info' | 'warn'; message: string } {
  if (status.state === 'bwrap') return { level: 'info', message: `sandbox: bwrap (${status.detail})` };
  if (status.state === 'off') return { level: 'warn', message: `sandbox: off — SHELL_SANDBOX=off runs python, pytest, npm, yarn and git UNCONFINED as the service user (unsafe)` };
  return {
    level: 'warn',
    message: `sandbox: unavailable (${status.detail}); python, pytest, npm, yarn and git are refused with AGT_ERR_SANDBOX_UNAVAILABLE${status.mode === 'required' ? '; SHELL_SANDBOX=required: /ready fails' : ''}`,
  };
}
