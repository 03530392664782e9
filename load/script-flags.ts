import { parseArgs } from 'node:util';

/** The `--name value` flags of a measuring script, read once, with the checks every such script needs. */
export interface ScriptFlags {
  get(name: string): string | undefined;
  /** The flag as a positive integer, `fallback` when absent; anything else is a usage error. */
  positiveInt(name: string, fallback: number): number;
  /** The flag as one of `choices`, `fallback` when absent; anything else is a usage error. */
  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  /** Prints `message` and the usage line to stderr and exits 2. */
  usageError(message: string): never;
  /** Every flag given, by name (without the dashes). */
  readonly given: ReadonlyMap<string, string>;
}

/**
 * Parses the flags of a measuring script (bench:service, bench:cold-start, soak:memory): every flag takes a value;
 * `--help`/`-h` prints `help` and exits 0; an unknown flag, a missing value or a stray argument exits 2 with the usage.
 *
 * @example
 *   const flags = scriptFlags(['runs'], 'usage: npm run bench:cold-start -- [--runs N]', HELP);
 *   const runs = flags.positiveInt('runs', 5);
 */
export function scriptFlags(names: readonly string[], usage: string, help: string, argv: readonly string[] = process.argv.slice(2)): ScriptFlags {
  const usageError = (message: string): never => {
    console.error(`${message}\n${usage}\n(--help explains every flag)`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
    values = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  const given = new Map(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  return {
    given,
    get: (name) => given.get(name),
    usageError,
    positiveInt(name, fallback) {
      const raw = given.get(name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(value) || value < 1) usageError(`--${name}: expected a positive integer (got ${raw})`);
      return value;
    },
    oneOf(name, choices, fallback) {
      const raw = given.get(name) ?? fallback;
      if (!(choices as readonly string[]).includes(raw)) usageError(`--${name}: expected ${choices.join(' or ')} (got ${raw})`);
      return raw as (typeof choices)[number];
    },
  };
}
