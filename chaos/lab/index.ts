// The lab the drills run in: the private stack, the steady load, the hypothesis and its judging, the alert check.
// Drills, the registry and the CLI import the lab only through this module.
export { DEFAULT_HYPOTHESIS, DRILL_IDS, hypothesisProblems, PROBE_TIMEOUT_MS, type Drill, type DrillId, type Hypothesis, type Refusal, type Stack, type StackSpec } from './types.js';
export { runDrill, type DrillRunOptions, type Journal } from './harness.js';
export { startAlertLab, type AlertLab } from './alerts/watch-alert.js';
