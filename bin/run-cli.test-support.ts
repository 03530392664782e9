import { main } from './cli.js';

// `luminamind <args>` in the test's own process: the same main() bin/luminamind awaits, its exit code, and what it
// wrote to stdout and stderr. A spawned CLI costs 1–2.5 s of CPU to load TypeScript through tsx before it does
// anything; tests of options, output and exit-code mapping need no process boundary, so they run the CLI here and
// keep a real process only where the boundary is what they prove (bin/luminamind setting the process's exit code,
// signals, stdin). Runs in the vitest process's cwd (the repository root, as the spawned tests' cwd was).

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Write = typeof process.stdout.write;

/** One run at a time: a run holds the process's streams, environment and exit code (it.concurrent would mix them). */
let running = false;

/**
 * Runs the CLI with `env` laid over process.env for the call (a value of '' sets the variable empty, as a spawn's env
 * would); restores the environment, process.exitCode and both streams afterwards, also when main throws.
 *
 * @example
 *   const { code, stdout } = await runCliInProcess(['gate', '--no-run', '--reports', dir]);
 */
export async function runCliInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  if (running) throw new Error('runCliInProcess: another in-process CLI run is still going; run these tests in turn, not concurrently');
  running = true;
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as Write;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const previousEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const previousExitCode = process.exitCode;
  Object.assign(process.env, env);
  process.exitCode = undefined;
  try {
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    const code = await main(['node', 'luminamind', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exitCode = previousExitCode;
    for (const [k, v] of Object.entries(previousEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
}
