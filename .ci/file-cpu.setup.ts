// Per test file CPU for `npm run test:slowest` (.ci/slowest-reporter.ts): this process's CPU and that of the child
// processes it started and reaped (spawned CLIs, service processes, Redis), from /proc/self/stat, over the file's
// run (import, hooks, tests), from this setup file on: the worker's own start and the main process's transforms
// are not in it. Wall time on a shared 2-core machine says how busy the machine was; CPU says what the
// file costs. One read of /proc at each end of a file; off Linux nothing is recorded.
import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** CPU seconds of the file: own = the test process, children = processes it started. */
    cpu?: { own: number; children: number };
  }
}

/** Linux's USER_HZ: /proc reports times in hundredths of a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

function cpuTicks(): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: f[11]! + f[12]!, children: f[13]! + f[14]! };
  } catch {
    return undefined;
  }
}

const start = cpuTicks();

// vitest reads the hook's first parameter as a fixture list and wants it destructured; the file task is the second.
// eslint-disable-next-line no-empty-pattern
afterAll(({}, file) => {
  const end = cpuTicks();
  if (!start || !end) return;
  file.meta.cpu = { own: (end.own - start.own) / TICKS_PER_SECOND, children: (end.children - start.children) / TICKS_PER_SECOND };
});
