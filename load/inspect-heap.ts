import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'undici';

export interface HeapProbe {
  /** `process.memoryUsage()` of the process as it is (no GC), in MB. */
  usage(): Promise<{ rssMb: number; heapTotalMb: number; heapUsedMb: number; externalMb: number }>;
  /** A full garbage collection in the process, then its V8 heap in use and reserved (MB). */
  collect(): Promise<{ usedMb: number; totalMb: number }>;
  close(): void;
}

/**
 * Opens the inspector of a running Node process started with `--inspect-port=127.0.0.1:<port>` (SIGUSR1 turns it on,
 * so the process runs without it until then and its idle RSS is not the inspector's) and returns a probe that
 * collects garbage there: a soak can tell memory the process still holds from garbage V8 has not collected yet.
 *
 * @example
 *   const svc = await startServiceProcess(env, { nodeArgs: [`--inspect-port=127.0.0.1:${port}`] });
 *   const probe = await attachHeapProbe(svc.pid()!, port);
 *   const { usedMb } = await probe.collect();
 */
export async function attachHeapProbe(pid: number, port: number, timeoutMs = 10_000): Promise<HeapProbe> {
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  let target: string | undefined;
  while (!target) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
      target = list[0]?.webSocketDebuggerUrl;
    } catch {
      // The inspector is not listening yet.
    }
    if (!target && Date.now() > deadline) throw new Error(`no inspector on 127.0.0.1:${port} within ${timeoutMs} ms (started with --inspect-port?)`);
    if (!target) await sleep(100);
  }
  const socket = new WebSocket(target);
  await new Promise<void>((done, fail) => {
    socket.addEventListener('open', () => done(), { once: true });
    socket.addEventListener('error', () => fail(new Error(`inspector connection to ${target} failed`)), { once: true });
  });
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let nextId = 0;
  const send = <T>(method: string, params?: object): Promise<T> =>
    new Promise((done) => {
      const id = ++nextId;
      pending.set(id, (result) => {
        pending.delete(id);
        done(result as T);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const mb = (bytes: number) => bytes / 1024 / 1024;
  return {
    async usage() {
      const expression = 'JSON.stringify(process.memoryUsage())';
      const reply = await send<{ result: { value: string } }>('Runtime.evaluate', { expression, returnByValue: true });
      const u = JSON.parse(reply.result.value) as NodeJS.MemoryUsage;
      return { rssMb: mb(u.rss), heapTotalMb: mb(u.heapTotal), heapUsedMb: mb(u.heapUsed), externalMb: mb(u.external) };
    },
    async collect() {
      await send('HeapProfiler.collectGarbage');
      const usage = await send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
      return { usedMb: mb(usage.usedSize), totalMb: mb(usage.totalSize) };
    },
    close: () => socket.close(),
  };
}
