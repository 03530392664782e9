import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * utime + stime of a process (all its threads: JS, GC, libuv pool), in ms, from /proc/<pid>/stat: CPU the OS charged
 * to it, which what else runs on the machine barely moves (unlike wall-clock latency).
 *
 * @example
 *   const before = processCpuMs(pid); await work(); const cpuMs = processCpuMs(pid) - before;
 */
export function processCpuMs(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are positional.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Time the process's main thread (a Node process's JavaScript thread) spent runnable but waiting for a CPU, in ms, from
 * /proc/<pid>/schedstat (its 2nd field, ns): on a shared machine this is how long other processes held the core the
 * event loop needed, a cost that shows in latency but in no CPU figure.
 *
 * @example
 *   const before = runQueueWaitMs(pid); await work(); const starvedMs = runQueueWaitMs(pid) - before;
 */
export function runQueueWaitMs(pid: number | 'self'): number {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
  return Number(fields[1]) / 1e6;
}
