import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Drill } from '../lab/index.js';

const BLOCKS = 5;
/** What one SIGUSR2 makes the hog retain. */
const BLOCK_BYTES = 64 * 2 ** 20;
// Absolute paths: a service started from a bundle runs in the bundle's own folder, where neither `tsx` nor the
// hog's relative path would resolve.
const hog = ['--import', createRequire(import.meta.url).resolve('tsx'), '--import', fileURLToPath(new URL('../lab/memory-hog.ts', import.meta.url))];

async function rssOf(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.text().catch(() => undefined);
  const line = text?.split('\n').find((l) => l.startsWith('process_resident_memory_bytes '));
  return line ? Number(line.split(' ')[1]) : undefined;
}

export const memoryPressure = {
  id: 'memory-pressure',
  title: `the service process retains ${(BLOCKS * BLOCK_BYTES) / 2 ** 20} MiB more JS heap while serving (1 GiB heap limit)`,
  runbook: 'R4 OOM (memory pressure)',
  faultSeconds: 5,
  stack: { nodeArgs: [...hog, '--max-old-space-size=1024'] },
  hypothesis: { minSuccessDuring: 0.95, minQualityAnswered: 3 },
  async inject(stack) {
    const service = stack.services[0]!;
    const rssBefore = await rssOf(service.url);
    for (let i = 0; i < BLOCKS; i++) {
      process.kill(service.pid()!, 'SIGUSR2');
      await sleep(100);
    }
    // The blocks grow a step per event-loop turn (lab/memory-hog.ts): wait until they are (nearly) all there, so the
    // rest of the fault runs under the full pressure; a service that died or stopped answering ends the wait.
    let rssDuring = await rssOf(service.url);
    for (let waited = 0; waited < 4_000 && rssBefore !== undefined && rssDuring !== undefined && rssDuring < rssBefore + 0.9 * BLOCKS * BLOCK_BYTES; waited += 200) {
      await sleep(200);
      rssDuring = await rssOf(service.url);
    }
    return { pid: service.pid(), blocks: BLOCKS, rssBeforeMiB: rssBefore && Math.round(rssBefore / 2 ** 20), rssDuringMiB: rssDuring && Math.round(rssDuring / 2 ** 20) };
  },
  async heal(stack) {
    const service = stack.services[0]!;
    const pid = service.pid();
    const alive = pid !== undefined && (await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true;
    if (alive) process.kill(pid, 'SIGHUP');
    return { serviceAlive: alive };
  },
  withoutResilience: { feature: 'a 256 MiB heap limit (no headroom for the pressure)', stack: { nodeArgs: [...hog, '--max-old-space-size=256'] } },
  alert: { name: 'HighMemoryUsage', expect: 'fires', notCheckableLocally: 'HighMemoryUsage divides cAdvisor container_memory_working_set_bytes by kube-state-metrics limits; neither exists outside Kubernetes' },
} satisfies Drill;
