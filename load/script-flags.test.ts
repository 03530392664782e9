import { afterEach, describe, expect, it, vi } from 'vitest';
import { scriptFlags } from './script-flags.js';

// The measuring scripts' flags: a typo must stop the run with exit 2 before minutes of measuring, not be ignored.
class Exit extends Error {
  constructor(readonly code: number | undefined) {
    super(`exit ${code}`);
  }
}

function parse(argv: string[]) {
  const out: string[] = [];
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(code === undefined ? undefined : Number(code));
  });
  vi.spyOn(console, 'error').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  try {
    const flags = scriptFlags(['runs', 'entry'], 'usage: x [--runs N] [--entry a|b]', 'HELP TEXT', argv);
    return { flags, exit: undefined, out };
  } catch (err) {
    if (err instanceof Exit) return { flags: undefined, exit: err.code, out };
    throw err;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('scriptFlags', () => {
  it('reads --name value and --name=value, with defaults for what is absent', () => {
    const { flags } = parse(['--runs', '3', '--entry=b']);
    expect(flags!.positiveInt('runs', 5)).toBe(3);
    expect(flags!.oneOf('entry', ['a', 'b'], 'a')).toBe('b');
    expect(parse([]).flags!.positiveInt('runs', 5)).toBe(5);
    expect([...parse(['--runs', '3']).flags!.given]).toEqual([['runs', '3']]);
  });

  it('an unknown flag, a missing value or a stray argument exits 2 with the usage', () => {
    for (const argv of [['--rnus', '3'], ['--runs'], ['stray']]) {
      const { exit, out } = parse(argv);
      expect(exit, argv.join(' ')).toBe(2);
      expect(out.join('\n')).toContain('usage: x');
    }
  });

  it('a bad number or choice is a usage error naming the flag', () => {
    for (const raw of ['0', '-1', '2.5', 'x']) {
      const { flags } = parse([`--runs=${raw}`]);
      expect(() => flags!.positiveInt('runs', 5)).toThrow(new Exit(2));
    }
    const { flags, out } = parse(['--entry', 'c']);
    expect(() => flags!.oneOf('entry', ['a', 'b'], 'a')).toThrow(new Exit(2));
    expect(out.join('\n')).toContain('--entry: expected a or b (got c)');
  });

  it('--help and -h print the help and exit 0', () => {
    for (const argv of [['--help'], ['-h']]) {
      const { exit, out } = parse(argv);
      expect(exit).toBe(0);
      expect(out).toEqual(['HELP TEXT']);
    }
  });
});
