import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The unit project's promise (README, "Two test loops"): no sockets, no processes. This file runs in it, so each
// of these must be refused; the int project runs the same calls for real (every *.int.test.ts does).
describe('the unit test loop', () => {
  it('refuses to listen, to connect and to start a process, naming the way out', () => {
    expect(() => createServer().listen(0)).toThrow(/unit tests may not listen on a socket: rename this file \*\.int\.test\.ts/);
    expect(() => connect(6379, '127.0.0.1')).toThrow(/unit tests may not open a socket/);
    expect(() => spawnSync('true')).toThrow(/unit tests may not start a process \(spawnSync\)/);
  });

  it('npm test runs both projects, and the unit and int scripts one each', () => {
    const scripts = (JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).toBe('vitest run');
    expect(scripts['test:unit']).toBe('vitest run --project unit');
    expect(scripts['test:int']).toBe('vitest run --project int');
  });
});
