import { z } from 'zod';

/**
 * Faults the simulator injects into chat completions (never into /health, /v1/models or /_admin).
 * Order per request: hang → latencyMs → failNext → errorRate → answer (paced by ttftMs/tokensPerSecond,
 * possibly cut by cutStream).
 *
 * @example
 *   sim.setFaults({ errorRate: 0.2, errorStatus: 503, seed: 7 });
 *   sim.setFaults({ ttftMs: 300, tokensPerSecond: 40 }); // realistic pacing for load tests
 */
export const FaultsSchema = z
  .object({
    /** Share of requests answered with errorStatus, drawn from a seeded RNG so runs repeat exactly. */
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.number().int().min(400).max(599).default(503),
    /** Seed of the errorRate RNG; setting faults re-seeds it. */
    seed: z.number().int().default(1),
    /** Sent as retry-after-ms / retry-after on injected errors when set. */
    retryAfterMs: z.number().int().min(0).optional(),
    /** Added before anything else happens. */
    latencyMs: z.number().int().min(0).default(0),
    /** Time to first token: before the first content chunk (stream) or added to the whole answer. */
    ttftMs: z.number().int().min(0).default(0),
    /** Generation speed after the first token; 0 = instant. */
    tokensPerSecond: z.number().min(0).default(0),
    /** Hold every request without answering until the hang is lifted (setFaults/clear) or the server closes. */
    hang: z.boolean().default(false),
    /** Drop the connection mid-answer: true = after half the chunks, a number = after that many SSE chunks. */
    cutStream: z.union([z.boolean(), z.number().int().min(0)]).default(false),
    /** The next N chat requests fail with errorStatus, then the simulator answers normally. */
    failNext: z.number().int().min(0).default(0),
  })
  .strict();
export type Faults = z.infer<typeof FaultsSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;

/** mulberry32: tiny, fast, seedable; quality is ample for a fault coin-flip. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
