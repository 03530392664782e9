import { readFileSync } from 'node:fs';

/** Cumulative CPU ticks of the whole machine (all cores) from the first line of /proc/stat. */
export interface MachineTicks {
  idle: number;
  total: number;
}

/**
 * The machine's CPU ticks so far: idle (idle + iowait) and total (every state, steal included). Two readings give the
 * share of the machine nobody used in between, which says whether a slow step was starved by other processes.
 *
 * @example
 *   const before = machineTicks(); await work(); const idle = idleShare(before, machineTicks()); // 0..1
 */
export function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const states = values.slice(0, 8);
  return { idle: (states[3] ?? 0) + (states[4] ?? 0), total: states.reduce((sum, v) => sum + v, 0) };
}

/** Share of all cores idle between two readings (0..1). */
export function idleShare(before: MachineTicks, after: MachineTicks): number {
  const total = after.total - before.total;
  return total > 0 ? (after.idle - before.idle) / total : 0;
}

/** The 1-, 5- and 15-minute load averages as /proc/loadavg prints them, e.g. "12.40 11.02 8.95". */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
