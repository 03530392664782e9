import { z } from 'zod';

/** The simulated model's pacing: time to first token plus generation speed, applied to every completion. */
export const LatencyModelSchema = z.object({ ttftMs: z.number().int().min(0), tokensPerSecond: z.number().min(0) });
export type LatencyModel = z.infer<typeof LatencyModelSchema>;

export const ProfileSchema = z.object({
  name: z.string().min(1),
  /** Fixed request rate over all connections (autocannon overallRate); latencies are corrected for coordinated omission. */
  rate: z.number().positive(),
  /** Connection pool; autocannon caps it at the rate (one request per connection per second), and the runner corrects the latencies for coordinated omission. */
  connections: z.number().int().min(1),
  durationSeconds: z.number().positive(),
  runs: z.number().int().min(1),
  /** Pause between runs so one run's tail does not leak into the next. */
  pauseSeconds: z.number().min(0).default(1),
  /** Per-request timeout in seconds; a request past it counts as a timeout (an error). */
  timeoutSeconds: z.number().positive().default(20),
  latency: LatencyModelSchema,
  /** Relative weights of the scenarios in the mix (see scenarios.ts). */
  mix: z.record(z.string(), z.number().int().min(0)),
});
export type Profile = z.infer<typeof ProfileSchema>;

const realistic: LatencyModel = { ttftMs: 250, tokensPerSecond: 60 };
const mix = { plain: 1, 'one-tool': 1, 'multi-tool': 1, streamed: 1 };

/** Smoke fits the PR gate (≈1 min); baseline is what release baselines are recorded with; soak looks for leaks. */
export const PROFILES = {
  smoke: { name: 'smoke', rate: 8, connections: 8, durationSeconds: 8, runs: 5, pauseSeconds: 1, timeoutSeconds: 20, latency: realistic, mix },
  baseline: { name: 'baseline', rate: 60, connections: 60, durationSeconds: 30, runs: 5, pauseSeconds: 2, timeoutSeconds: 20, latency: realistic, mix },
  soak: { name: 'soak', rate: 10, connections: 10, durationSeconds: 300, runs: 5, pauseSeconds: 5, timeoutSeconds: 30, latency: realistic, mix },
} as const satisfies Record<string, Profile>;
export type ProfileId = keyof typeof PROFILES;

export function isProfileId(id: string): id is ProfileId {
  return Object.hasOwn(PROFILES, id);
}
