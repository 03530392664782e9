import { memoryPressure } from './memory-pressure.js';
import { model503 } from './model-503.js';
import { modelLatencyX10 } from './model-latency-x10.js';
import { redisFreeze } from './redis-freeze.js';
import { redisKill } from './redis-kill.js';
import { replicaKill } from './replica-kill.js';
import { DRILL_IDS, type Drill, type DrillId } from './types.js';

/** Every local drill, in the order `luminamind chaos` runs them; a missing entry fails the build. */
export const drills = {
  'redis-kill': redisKill,
  'redis-freeze': redisFreeze,
  'model-503': model503,
  'model-latency-x10': modelLatencyX10,
  'replica-kill': replicaKill,
  'memory-pressure': memoryPressure,
} satisfies Record<DrillId, Drill>;

export function isDrillId(id: string): id is DrillId {
  return (DRILL_IDS as readonly string[]).includes(id);
}

export { DRILL_IDS, DEFAULT_HYPOTHESIS, type Drill, type DrillId, type Hypothesis } from './types.js';
export { runDrill, type DrillRunOptions, type Journal } from './harness.js';
