import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
// The simulator's seeded PRNG: a run's request order is reproducible from its seed.
import { seededRandom } from '../evals/sim/index.js';

/*
 * Why not autocannon here: it gives each connection an integer quota of ≥ 1 req/s, caps connections at the overall
 * rate and sends one request at a time per connection, so once responses take ~1 s (our realistic model latency)
 * the send rate falls short of the schedule and latencies have to be corrected after the fact. This sender keeps
 * the schedule whatever the responses do, and measures every latency from the intended send time, which is the
 * coordinated-omission correction itself. load/bench-service.ts (closed-loop, max throughput) still uses autocannon.
 */

/** One request the sender may send; `stream` requests are read to their last byte (SSE). */
export interface OpenLoopRequest {
  scenario: string;
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: string;
  stream: boolean;
}

export interface OpenLoopOptions {
  /** Origin, e.g. http://127.0.0.1:3000 (the request paths carry the rest). */
  url: string;
  /** Requests per second, fixed-interval arrivals: t_i = t0 + i / rate. */
  rate: number;
  durationSeconds: number;
  /** Per-request budget from its dispatch; past it the request is aborted and counted as a timeout. */
  timeoutMs: number;
  /** The weighted request list (each entry repeated by its weight); the schedule draws from it in seeded shuffled rounds. */
  requests: readonly OpenLoopRequest[];
  seed?: number;
  /** Connection cap; default rate × timeout, the most requests that can be in flight while the service keeps within the timeout. */
  maxConnections?: number;
}

export type Outcome = 'ok' | 'non2xx' | 'error' | 'timeout';

export interface RequestRecord {
  index: number;
  scenario: string;
  /** Intended send time, ms after t0. */
  intendedMs: number;
  /** Actual dispatch − intended (ms): how far the sender itself fell behind its schedule. */
  sendLagMs: number;
  /** Intended send time → last byte (or failure), in ms: includes any wait for a connection or in the sender. */
  latencyMs: number;
  /** Intended send time → first body byte (ms), when a body arrived. */
  ttfbMs?: number;
  status?: number;
  outcome: Outcome;
  error?: string;
}

export interface OpenLoopResult {
  records: RequestRecord[];
  /** t0 → the last request's end (ms). */
  elapsedMs: number;
  /** Requests per second over the span from the first to the last dispatch. */
  sentRate: number;
  maxConnections: number;
  peakInFlight: number;
  /** Requests dispatched while every connection was busy: real saturation, the service was behind by ≥ the timeout. */
  capHits: number;
}

/** Intended send offsets (ms after t0) of a fixed-rate schedule over the window. */
export function intendedSendTimes(rate: number, durationSeconds: number): number[] {
  const count = Math.max(1, Math.floor(rate * durationSeconds + 1e-9));
  return Array.from({ length: count }, (_, i) => (i * 1000) / rate);
}

/** Indices into a weighted list of `size`, in rounds that each hold every entry once (exact mix), shuffled per round. */
export function mixOrder(count: number, size: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order: number[] = [];
  while (order.length < count) {
    const round = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    order.push(...round.slice(0, count - order.length));
  }
  return order;
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends requests at fixed intended times whatever the responses do, over an undici Pool that opens connections on
 * demand up to the cap, and follows every request to its end (bounded by the timeout).
 *
 * @example
 *   const { records } = await runOpenLoop({ url, rate: 8, durationSeconds: 8, timeoutMs: 20_000, requests });
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  if (!options.requests.length) throw new Error('no requests to send');
  if (!(options.rate > 0) || !(options.durationSeconds > 0) || !(options.timeoutMs > 0)) throw new Error('rate, duration and timeout must be positive');
  const offsets = intendedSendTimes(options.rate, options.durationSeconds);
  const order = mixOrder(offsets.length, options.requests.length, options.seed ?? 1);
  const maxConnections = Math.max(1, Math.round(options.maxConnections ?? Math.ceil(options.rate * (options.timeoutMs / 1000))));
  // Our own timeout covers the whole exchange; undici's per-phase timeouts would fire on a slow but healthy stream, and
  // its 10 s connect timeout turned a wait for a busy service's accept into an `error` before the request's budget.
  const pool = new Pool(options.url, { connections: maxConnections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connectTimeout: options.timeoutMs });
  const records: RequestRecord[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let capHits = 0;
  let lastEnd = 0;
  let firstSent = 0;
  let lastSent = 0;

  const send = async (index: number, intended: number, t0: number): Promise<void> => {
    const spec = options.requests[order[index]!]!;
    const sent = performance.now();
    if (index === 0) firstSent = sent;
    lastSent = sent;
    if (inFlight >= maxConnections) capHits++;
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), options.timeoutMs);
    const record: RequestRecord = { index, scenario: spec.scenario, intendedMs: intended - t0, sendLagMs: sent - intended, latencyMs: 0, outcome: 'error' };
    try {
      const res = await pool.request({ path: spec.path, method: spec.method, headers: spec.headers, body: spec.body, signal: abort.signal });
      record.status = res.statusCode;
      let tail = '';
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        record.ttfbMs ??= performance.now() - intended;
        // Only the stream's last event matters; keep a bounded tail rather than the whole body.
        if (spec.stream) tail = (tail + chunk.toString('utf8')).slice(-4_096);
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      // An SSE run that fails still began with 200; its final `error` event is the real outcome.
      const streamFailed = spec.stream && /(^|\n)event: error\n/.test(tail);
      record.outcome = ok && !streamFailed ? 'ok' : 'non2xx';
    } catch (err) {
      record.outcome = abort.signal.aborted ? 'timeout' : 'error';
      if (!abort.signal.aborted) record.error = describeError(err);
    } finally {
      clearTimeout(timer);
      inFlight--;
      const end = performance.now();
      record.latencyMs = Math.round((end - intended) * 10) / 10;
      if (record.ttfbMs !== undefined) record.ttfbMs = Math.round(record.ttfbMs * 10) / 10;
      record.sendLagMs = Math.round(record.sendLagMs * 10) / 10;
      lastEnd = Math.max(lastEnd, end - t0);
      records.push(record);
    }
  };

  try {
    const t0 = performance.now();
    for (let i = 0; i < offsets.length; i++) {
      const intended = t0 + offsets[i]!;
      // Bounded: each pass sleeps ≥ 1 ms and the target time is fixed.
      for (let wait = intended - performance.now(); wait > 0; wait = intended - performance.now()) await sleep(Math.max(1, wait));
      // Never awaited here: a slow response must not hold back the next send.
      pending.push(send(i, intended, t0));
    }
    await Promise.all(pending);
    records.sort((a, b) => a.index - b.index);
    const span = (lastSent - firstSent) / 1000;
    return {
      records,
      elapsedMs: lastEnd,
      sentRate: offsets.length > 1 && span > 0 ? (offsets.length - 1) / span : offsets.length / options.durationSeconds,
      maxConnections,
      peakInFlight,
      capHits,
    };
  } finally {
    await pool.destroy();
  }
}
