import createError from '@fastify/error';
import type { Command } from 'commander';
import { loadHarnessConfig, type HarnessConfig } from './harness-config.js';

// The harness subcommands (simulator, eval, load, chaos, reports, scan, gate) are imported only when one of them
// is asked for or the whole --help is printed, so `luminamind serve|tool|chat` never loads harness code, and an
// install without the dev packages (npm ci --omit=dev) still runs them. Asking for a
// harness command there says what to install instead of printing a module-resolution stack trace.

export const HarnessMissingError = createError(
  'AGT_ERR_HARNESS_MISSING',
  "'luminamind %s' needs the harness packages, which a production install (npm ci --omit=dev) leaves out; missing: %s. Install them: npm ci --include=dev",
  500,
);

type Register = (program: Command, harness: HarnessConfig) => void;

/** Subcommands that need no harness package. */
export const SERVICE_COMMANDS = ['serve', 'tool', 'chat'];

/** Harness subcommands with the loader of their registrars, in --help order. */
const HARNESS: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register[]>]> = [
  [['sim'], async () => [(await import('../evals/sim/cli.js')).registerSimCommand]],
  [['eval'], async () => [(await import('../evals/cli.js')).registerEvalCommand]],
  [['load'], async () => [(await import('../load/cli.js')).registerLoadCommand]],
  [['chaos'], async () => [(await import('../chaos/cli.js')).registerChaosCommand]],
  [['report'], async () => [(await import('../evals/report/index.js')).registerReportCommand]],
  [['scan'], async () => [(await import('../gates/scan/cli.js')).registerScanCommand]],
  [
    ['gate', 'promote', 'verify'],
    async () => {
      const gates = await import('../gates/cli.js');
      return [gates.registerGateCommand, gates.registerPromoteCommand, gates.registerVerifyCommand];
    },
  ],
];

/** The package a failed import could not find, when the failure is a missing package (not a missing file of ours). */
export function missingPackage(err: unknown): string | undefined {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(err.message)?.[1];
  return name && !/^[./]|^file:/.test(name) ? name : undefined;
}

/** The subcommand argv asks for (its first word that is not an option), if any. */
export function requestedCommand(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * Registers the harness subcommands argv needs: none for a service command, the one asked for, or all of them for
 * the top-level --help, `help` or an unknown word (so commander can list or suggest them). In the full --help a
 * harness that cannot load shows as not installed.
 */
export async function registerHarnessCommands(program: Command, argv: readonly string[], harness: HarnessConfig = loadHarnessConfig()): Promise<void> {
  const wanted = requestedCommand(argv);
  if (wanted !== undefined && SERVICE_COMMANDS.includes(wanted)) return;
  const all = wanted === undefined || wanted === 'help' || !HARNESS.some(([names]) => names.includes(wanted));
  for (const [names, load] of HARNESS) {
    if (!all && !names.includes(wanted!)) continue;
    let registers: Register[];
    try {
      registers = await load();
    } catch (err) {
      const pkg = missingPackage(err);
      if (!pkg) throw err;
      if (!all) throw new HarnessMissingError(wanted, pkg);
      for (const name of names) program.command(name).description(`(not installed: needs ${pkg}; npm ci --include=dev)`);
      continue;
    }
    for (const register of registers) register(program, harness);
  }
}

/** A missing package met later (a command's own lazy import, e.g. promptfoo) as the same coded error. */
export function explainMissingPackage(err: unknown, argv: readonly string[]): unknown {
  const pkg = missingPackage(err);
  return pkg ? new HarnessMissingError(requestedCommand(argv) ?? '', pkg) : err;
}
