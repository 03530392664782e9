import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { ResilientChatModel } from '../llm/index.js';
import { sandboxStatus } from '../tools/shell/sandbox.js';
import type { ReadinessCheck, ServiceCheckpointer } from './service.js';

export const READY_TIMEOUT_MS = 1_000;

/** Resolves to a failed check when `probe` takes longer than `ms`: a hung dependency must not hang the probe. */
export async function withTimeout(probe: () => Promise<ReadinessCheck>, ms = READY_TIMEOUT_MS): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([probe().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The parts /ready names: the model endpoint (breaker state, then a cheap GET /models), Redis (PING), the
 * checkpointer (its own health, or "degraded" for the in-memory saver) and the tool sandbox (fails only when required).
 */
export function createReadinessChecks(
  config: Config,
  parts: { model?: ResilientChatModel; redis?: Redis; checkpointer: ServiceCheckpointer },
): Record<string, () => Promise<ReadinessCheck>> {
  const checks: Record<string, () => Promise<ReadinessCheck>> = {
    model: async () => {
      const states = parts.model?.breakerStates() ?? {};
      const usable = Object.entries(states).filter(([, s]) => s?.state !== 'open');
      if (Object.keys(states).length && !usable.length) return { ok: false, detail: 'every model endpoint has an open circuit breaker' };
      const endpoint = config.llm.primary;
      if (!endpoint) return { ok: false, detail: 'no model endpoint configured' };
      const res = await fetch(`${endpoint.baseUrl.replace(/\/$/, '')}/models`, {
        headers: { authorization: `Bearer ${endpoint.apiKey}` },
        signal: AbortSignal.timeout(READY_TIMEOUT_MS),
      });
      await res.body?.cancel();
      // 401/403/404 still prove the endpoint answers; only its absence or a 5xx make the service unready.
      return res.status >= 500 ? { ok: false, detail: `GET /models answered ${res.status}` } : { ok: true };
    },
    checkpointer: async () => {
      if (!parts.checkpointer.health) return { ok: true, degraded: true, detail: 'in-memory checkpointer: threads are lost on restart' };
      const h = await parts.checkpointer.health();
      return { ok: h.ok, degraded: h.degraded, detail: h.error ?? `${h.backend}${h.degraded ? ' (degraded)' : ''}` };
    },
  };
  checks.sandbox = async () => {
    const status = await sandboxStatus(config.tools.shell.sandbox);
    if (status.confined) return { ok: true, detail: `bwrap: ${status.detail}` };
    // Without the sandbox the service still answers; code-running programs are refused (or, when off, unconfined).
    return { ok: status.mode !== 'required', degraded: true, detail: `${status.state}: ${status.detail}` };
  };
  if (parts.redis) {
    const redis = parts.redis;
    checks.redis = async () => {
      const pong = await redis.ping();
      return pong === 'PONG' ? { ok: true } : { ok: false, detail: `unexpected PING reply ${pong}` };
    };
  } else {
    checks.redis = async () => ({ ok: true, degraded: true, detail: 'REDIS_URL not set: in-memory rate limits and cache' });
  }
  return checks;
}
