import { memoryPressure } from './memory-pressure.js';
import { model503 } from './model-503.js';
import { modelLatencyX10 } from './model-latency-x10.js';
import { redisFailover } from './redis-failover.js';
import { redisFreeze } from './redis-freeze.js';
import { redisKill } from './redis-kill.js';
import { redisRestore } from './redis-restore.js';
import { replicaKill } from './replica-kill.js';
import { DEFAULT_HYPOTHESIS, DRILL_IDS, hypothesisProblems, type Drill, type DrillId } from '../lab/index.js';

/**
 * Checks every drill's hypothesis, and the one its can-fail run uses, when the registry loads: a hypothesis that
 * cannot be seen failing (a 0 % floor, a bound nothing can exceed) is refused, naming the drill and why.
 */
export function validateDrills<T extends Record<string, Drill>>(registry: T): T {
  const problems = Object.values(registry).flatMap((d) => {
    const own = { ...DEFAULT_HYPOTHESIS, ...d.hypothesis };
    const off = { ...own, ...d.withoutResilience.hypothesis };
    return [...hypothesisProblems(own).map((p) => `${d.id}: ${p}`), ...hypothesisProblems(off).map((p) => `${d.id} (resilience off): ${p}`)];
  });
  if (problems.length) throw new Error(`chaos drill registry: vacuous hypotheses:\n  - ${problems.join('\n  - ')}`);
  return registry;
}

/** Every local drill, in the order `luminamind chaos` runs them; a missing entry fails the build. */
export const drills = validateDrills({
  'redis-kill': redisKill,
  'redis-freeze': redisFreeze,
  'model-503': model503,
  'model-latency-x10': modelLatencyX10,
  'replica-kill': replicaKill,
  'memory-pressure': memoryPressure,
  'redis-failover': redisFailover,
  'redis-restore': redisRestore,
} satisfies Record<DrillId, Drill>);

export function isDrillId(id: string): id is DrillId {
  return (DRILL_IDS as readonly string[]).includes(id);
}

export { DRILL_IDS, DEFAULT_HYPOTHESIS, hypothesisProblems, PROBE_TIMEOUT_MS, type Drill, type DrillId, type Hypothesis, type Refusal } from '../lab/index.js';
export { runDrill, startAlertLab, type AlertLab, type DrillRunOptions, type Journal } from '../lab/index.js';
