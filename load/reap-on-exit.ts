import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * SIGKILLs `child` if this process exits while the child still runs: a harness that dies without its cleanup (a crash,
 * a bail) must not leave services or redis-servers listening.
 *
 * @example
 *   reapOnExit(spawn('redis-server', args));
 */
export function reapOnExit(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}
