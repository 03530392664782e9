import { z } from 'zod';

/** The simulated model's pacing: time to first token plus generation speed, applied to every completion. */
export const LatencyModelSchema = z.object({ ttftMs: z.number().int().min(0), tokensPerSecond: z.number().min(0) });
export type LatencyModel = z.infer<typeof LatencyModelSchema>;

export const ProfileSchema = z.object({
  name: z.string().min(1),
  /** Fixed request rate of the open-loop sender (open-loop.ts); latencies run from the intended send times. */
  rate: z.number().positive(),
  /** Connection cap; connections open on demand up to it. Default rate × timeoutSeconds; hitting it is reported as saturation. */
  maxConnections: z.number().int().min(1).optional(),
  /** Seed of the request order (run i uses seed + i), so a run's mix order is reproducible. */
  seed: z.number().int().default(1),
  durationSeconds: z.number().positive(),
  runs: z.number().int().min(1),
  /** Pause between runs so one run's tail does not leak into the next. `--against` does not use it: its pairs run both sides at once, each block waiting for its last request. */
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
  smoke: { name: 'smoke', rate: 8, durationSeconds: 8, runs: 5, pauseSeconds: 1, timeoutSeconds: 20, seed: 1, latency: realistic, mix },
  baseline: { name: 'baseline', rate: 60, durationSeconds: 30, runs: 5, pauseSeconds: 2, timeoutSeconds: 20, seed: 1, latency: realistic, mix },
  soak: { name: 'soak', rate: 10, durationSeconds: 300, runs: 5, pauseSeconds: 5, timeoutSeconds: 30, seed: 1, latency: realistic, mix },
} as const satisfies Record<string, Profile>;
export type ProfileId = keyof typeof PROFILES;

export function isProfileId(id: string): id is ProfileId {
  return Object.hasOwn(PROFILES, id);
}
