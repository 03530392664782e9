import { SCENARIOS } from '../../load/index.js';
import { PROBE_TIMEOUT_MS } from './types.js';

export interface Sample {
  seq: number;
  /** Seconds since the drill started, when the request was sent. */
  sentAt: number;
  ms: number;
  ok: boolean;
  status: number;
  /** The error code of a refused request (`{"error": {"code"}}`), when it carried one. */
  code?: string;
  threadId: string;
  message: string;
  done: boolean;
}

const MIX = [SCENARIOS.plain, SCENARIOS['one-tool'], SCENARIOS['multi-tool']];

/** One chat turn; ok only for a completed run with an answer. Status 0 = no HTTP answer (refused, reset, timeout). */
export async function chat(
  url: string,
  threadId: string,
  message: string,
  timeoutMs: number,
): Promise<{ status: number; code?: string; body?: { status?: string; answer?: string; tool_calls?: { name: string }[]; error?: { code?: string } } }> {
  try {
    const res = await fetch(`${url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ thread_id: threadId, message }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => undefined)) as { status?: string; answer?: string; error?: { code?: string } } | undefined;
    return { status: res.status, ...(typeof body?.error?.code === 'string' ? { code: body.error.code } : {}), body };
  } catch {
    return { status: 0 };
  }
}

/**
 * Serves each scenario of the probe's mix once on `url`, one after another, before the steady state is measured: a
 * freshly started service spends its first requests loading lazy chunks and compiling hot paths, seconds on a busy
 * machine, and that is start-up, not the steady state the drill's "before" phase stands for. Best effort: what the
 * answers were is not judged here (the before phase judges the service).
 */
export async function warmUp(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  for (const [i, scenario] of MIX.entries()) await chat(url, `warmup-${Date.now().toString(36)}-${i}`, scenario.message, timeoutMs);
}

/**
 * A steady, bounded load: one request every 1/rate s (open schedule, never waiting for answers), each on its own
 * thread id so the threads can be read back for the data check.
 */
export function startProbe(url: string, options: { rate: number; origin: number; prefix: string; timeoutMs?: number }) {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  const fire = () => {
    const n = seq++;
    const scenario = MIX[n % MIX.length]!;
    const sample: Sample = { seq: n, sentAt: (performance.now() - options.origin) / 1000, ms: 0, ok: false, status: 0, threadId: `${options.prefix}-${n}`, message: scenario.message, done: false };
    samples.push(sample);
    const started = performance.now();
    const p = chat(url, sample.threadId, scenario.message, options.timeoutMs ?? PROBE_TIMEOUT_MS).then(({ status, code, body }) => {
      sample.ms = Math.round(performance.now() - started);
      sample.status = status;
      if (code) sample.code = code;
      sample.ok = status === 200 && body?.status === 'completed' && Boolean(body.answer);
      sample.done = true;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  fire();
  const timer = setInterval(fire, 1000 / options.rate);
  return {
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
