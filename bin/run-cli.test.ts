import { runCliInProcess } from './run-cli.test-support.js';

// The in-process CLI runner the int tests use instead of a spawn: it must hand back what the CLI printed and its
// code, and leave the test process as it found it.

describe('runCliInProcess', () => {
  it('returns the exit code and stdout, and restores the environment, the exit code and the streams', async () => {
    const write = process.stdout.write;
    const exitCode = process.exitCode;
    const run = await runCliInProcess(['tool', '--help'], { LM_RUN_CLI_PROBE: 'set' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: luminamind tool');
    expect(process.env.LM_RUN_CLI_PROBE).toBeUndefined();
    expect(process.stdout.write).toBe(write);
    expect(process.exitCode).toBe(exitCode);
  });

  it('a usage error comes back as exit 2 with the reason on stderr', async () => {
    const run = await runCliInProcess(['tool', '--no-such-option']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
  });

  it('refuses a second run while one is going (they would share the streams)', async () => {
    const first = runCliInProcess(['tool', '--help']);
    await expect(runCliInProcess(['tool', '--help'])).rejects.toThrow(/another in-process CLI run/);
    expect((await first).code).toBe(0);
  });
});
