import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestWorkspace, type TestWorkspace } from '../../support/workspace.test-support.js';
import { ShellRefusal } from '../grammar.js';
import { vetCommand, type ProgramName } from '../policy.js';
import { SANDBOX_HOME } from '../sandbox.js';

/** `ok`, or the refusal rule a row must fire. */
export type Expected = 'ok' | 'path_outside' | 'unknown_option' | 'option' | 'usage' | 'subcommand' | 'git_config' | 'pytest_config';

/**
 * One table-driven suite per program policy: each row is a command (split on spaces) and what the policy must
 * say, in a workspace with `src/`, `sub/`, `file.txt` and a symlink `link-out` to a folder outside it.
 *
 * @example
 *   describeVetTable('cat', [['cat file.txt', 'ok'], ['cat /etc/passwd', 'path_outside']]);
 */
export function describeVetTable(program: ProgramName, rows: readonly (readonly [string, Expected])[], setup: (ws: TestWorkspace) => Promise<void> = async () => {}): void {
  describe(`${program} policy`, () => {
    let ws: TestWorkspace;
    beforeAll(async () => {
      ws = await createTestWorkspace();
      await mkdir(join(ws.root, 'src'));
      await mkdir(join(ws.root, 'sub'));
      await writeFile(join(ws.root, 'file.txt'), 'hello\n');
      await symlink(ws.outside, join(ws.root, 'link-out'));
      await setup(ws);
    });
    afterAll(async () => ws.cleanup());

    it.each(rows)('%s → %s', async (command, expected) => {
      const vet = vetCommand(command.split(' '), { ctx: ws.ctx, cwd: ws.root, home: SANDBOX_HOME, allowedPrograms: [program] });
      if (expected === 'ok') {
        await expect(vet).resolves.toMatchObject({ program });
      } else {
        const err: unknown = await vet.then(() => undefined, (e: unknown) => e);
        expect(err, `${command} should be refused (${expected})`).toBeInstanceOf(ShellRefusal);
        expect((err as ShellRefusal).rule).toBe(expected);
      }
    });
  });
}
