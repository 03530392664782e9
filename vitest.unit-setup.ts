// The unit project's promise, enforced: no sockets, no Redis, no child processes. A test that needs one is a
// `*.int.test.ts` and runs in the int project (`npm run test:int`). Fastify's `inject` needs no socket and stays unit.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => () => {
  throw new Error(`unit tests may not ${what}: rename this file *.int.test.ts (vitest.unit-setup.ts)`);
};
net.Server.prototype.listen = refuse('listen on a socket');
net.Socket.prototype.connect = refuse('open a socket');
for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) Object.assign(childProcess, { [fn]: refuse(`start a process (${fn})`) });
// ESM named imports of builtins (`import { spawn } from 'node:child_process'`) see the patched functions only after this.
syncBuiltinESMExports();
