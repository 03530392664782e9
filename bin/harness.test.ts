import { Command } from 'commander';
import { errorCode } from '../agent/src/errors.js';
import { explainMissingPackage, missingPackage, registerHarnessCommands, requestedCommand } from './harness.js';

async function importFailure(specifier: string): Promise<unknown> {
  return import(specifier).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('harness commands', () => {
  it('a missing package becomes AGT_ERR_HARNESS_MISSING naming it and the npm command', async () => {
    const err = explainMissingPackage(await importFailure('lm-no-such-package-13'), ['node', 'luminamind', 'eval', 'run']);
    expect(errorCode(err)).toBe('AGT_ERR_HARNESS_MISSING');
    expect((err as Error).message).toContain("'luminamind eval'");
    expect((err as Error).message).toContain('missing: lm-no-such-package-13');
    expect((err as Error).message).toContain('npm ci --include=dev');
  });

  it('can fail: a missing file of ours stays the bug it is', async () => {
    const failure = await importFailure('./no-such-file-13.js');
    expect(missingPackage(failure)).toBeUndefined();
    expect(explainMissingPackage(failure, ['node', 'luminamind', 'eval'])).toBe(failure);
  });

  it('a service command registers no harness command; a harness command registers only its own', async () => {
    const serve = new Command();
    await registerHarnessCommands(serve, ['node', 'luminamind', 'serve', '--help']);
    expect(serve.commands.map((c) => c.name())).toEqual([]);
    const gate = new Command();
    await registerHarnessCommands(gate, ['node', 'luminamind', '--verbose', 'gate']);
    expect(gate.commands.map((c) => c.name())).toEqual(['gate', 'promote', 'verify']);
    expect(requestedCommand(['node', 'luminamind', '--x', 'load'])).toBe('load');
  });

  it('the full help lists every harness command', async () => {
    const all = new Command();
    await registerHarnessCommands(all, ['node', 'luminamind', '--help']);
    expect(all.commands.map((c) => c.name())).toEqual(['sim', 'eval', 'load', 'chaos', 'report', 'scan', 'gate', 'promote', 'verify']);
  }, 60_000);
});
