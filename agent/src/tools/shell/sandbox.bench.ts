import { readFile } from 'node:fs/promises';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { shellTool } from './tool.js';

/**
 * What the OS sandbox costs per shell call: the same `ls` through the shell tool, confined (bwrap + prlimit)
 * and with SHELL_SANDBOX=off, interleaved in one run. CPU is the OS's count for this process and the children
 * it waited for (/proc/self/stat utime+stime+cutime+cstime), steadier than wall time on a shared machine.
 * Usage: npm run bench:sandbox [-- calls]
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

async function cpuMs(): Promise<number> {
  const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  // Fields 14-17 of stat (utime stime cutime cstime) are at 11-14 once "pid (comm) " is cut off.
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) * TICK_MS;
}

const calls = Number(process.argv[2] ?? 100);
const ws = await realpath(await mkdtemp(join(tmpdir(), 'lm-bench-sandbox-')));
await writeFile(join(ws, 'a.txt'), 'a\n');
const modes = { confined: loadConfig({ SHELL_SANDBOX: 'auto' }), unconfined: loadConfig({ SHELL_SANDBOX: 'off' }) };
const totals = { confined: { cpu: 0, wall: 0 }, unconfined: { cpu: 0, wall: 0 } };
try {
  for (const [mode, config] of Object.entries(modes)) {
    const result = await shellTool.run({ command: 'ls -la' }, { workspaceRoot: ws, config });
    if ((result as { error?: boolean }).error) throw new Error(`${mode}: ${JSON.stringify(result)}`);
  }
  for (let i = 0; i < calls; i++) {
    // Alternate which mode goes first so drift in machine load hits both alike.
    const order = (i % 2 ? ['confined', 'unconfined'] : ['unconfined', 'confined']) as (keyof typeof modes)[];
    for (const mode of order) {
      const [cpu0, wall0] = [await cpuMs(), performance.now()];
      await shellTool.run({ command: 'ls -la' }, { workspaceRoot: ws, config: modes[mode] });
      totals[mode].cpu += (await cpuMs()) - cpu0;
      totals[mode].wall += performance.now() - wall0;
    }
  }
} finally {
  await rm(ws, { recursive: true, force: true });
}
const per = (mode: keyof typeof totals) => ({ cpu: totals[mode].cpu / calls, wall: totals[mode].wall / calls });
const [c, u] = [per('confined'), per('unconfined')];
console.log(`shell 'ls -la', ${calls} calls each, interleaved`);
console.log(`unconfined: ${u.cpu.toFixed(2)} ms CPU, ${u.wall.toFixed(2)} ms wall per call`);
console.log(`confined:   ${c.cpu.toFixed(2)} ms CPU, ${c.wall.toFixed(2)} ms wall per call`);
console.log(`sandbox cost: +${(c.cpu - u.cpu).toFixed(2)} ms CPU (${(c.cpu / u.cpu).toFixed(2)}x), +${(c.wall - u.wall).toFixed(2)} ms wall (${(c.wall / u.wall).toFixed(2)}x)`);
