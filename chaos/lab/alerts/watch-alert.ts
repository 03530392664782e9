import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from './drill-rules.js';
import { DETECTION_LAG_S, judgeAlert, metricNames, splitThreshold, type AlertExpectation, type AlertJournal } from './judge-alert.js';
import { prometheusVersion, startDrillPrometheus, type DrillPrometheus } from './prometheus-process.js';

/** How long after the after phase a fired alert may take to resolve before it counts as stuck. */
export const RESOLVE_TIMEOUT_S = 20;

async function gatherEvidence(prom: DrillPrometheus, expr: string, sinceS: number): Promise<NonNullable<AlertJournal['evidence']>> {
  const series: Record<string, number> = {};
  for (const name of metricNames(expr)) series[name] = (await prom.query(`count({__name__="${name}"})`)) ?? 0;
  const split = splitThreshold(expr);
  const peak = split ? await prom.query(`max(max_over_time((${split.lhs})[${sinceS}s:1s]))`) : null;
  return { series, peak, ...(split ? { threshold: split.threshold } : {}) };
}

export interface AlertWatch {
  /** Waits (bounded) until every target is scraped and the alert is inactive, so a later firing belongs to the fault. */
  baseline(timeoutMs?: number): Promise<void>;
  /** Keeps watching until the alert settles (bounded), stops Prometheus and judges. */
  finish(window: { injectedAt: number; healedAt: number }): Promise<AlertJournal>;
  close(): Promise<void>;
}

/**
 * One drill's alert check: starts a private Prometheus (when the binary exists, `enabled` is not false and the alert
 * is checkable on one machine) and polls /api/v1/alerts every 250 ms; otherwise every answer is "not checked".
 */
export async function watchAlert(options: {
  expectation: AlertExpectation;
  targets: () => readonly string[];
  now: () => number;
  enabled?: boolean;
  log?: (line: string) => void;
}): Promise<AlertWatch> {
  const { expectation } = options;
  const base = { alert: expectation.name, expectation: expectation.expect, ...(expectation.differsFromCluster ? { differsFromCluster: expectation.differsFromCluster } : {}), transitions: [] };
  const notChecked = (reason: string): AlertWatch => ({
    baseline: async () => {},
    finish: async () => ({ ...base, status: 'not-checked', reason }),
    close: async () => {},
  });
  if (expectation.notCheckableLocally) return notChecked(expectation.notCheckableLocally);
  if (options.enabled === false) return notChecked('Prometheus disabled (--no-prometheus)');
  if (!(await prometheusVersion())) return notChecked('no prometheus binary on PATH (Debian package `prometheus`)');

  let prom: DrillPrometheus;
  try {
    prom = await startDrillPrometheus({ targets: options.targets() });
  } catch (err) {
    return notChecked(`prometheus did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const transitions: AlertJournal['transitions'] = [];
  let pollError: string | undefined;
  let stopped = false;
  const poll = (async () => {
    while (!stopped) {
      try {
        const state = await prom.alertState(expectation.name);
        if (transitions.at(-1)?.state !== state && !(transitions.length === 0 && state === 'inactive')) {
          transitions.push({ t: options.now(), state });
          options.log?.(`alert ${expectation.name}: ${state}`);
        }
        pollError = undefined;
      } catch (err) {
        pollError = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
  })();
  const stop = async () => {
    stopped = true;
    await poll;
    await prom.close();
  };
  const rule = prom.changes[expectation.name];
  return {
    async baseline(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const targets = await prom.targets().catch(() => []);
        const state = transitions.at(-1)?.state ?? 'inactive';
        if (targets.length === options.targets().length && targets.every((t) => t.health === 'up') && state === 'inactive') return;
        if (Date.now() > deadline) {
          options.log?.(`alert ${expectation.name}: no clean baseline within ${timeoutMs} ms (targets ${targets.map((t) => t.health).join(',') || 'none'}, alert ${state})`);
          return;
        }
        await sleep(250);
      }
    },
    async finish(window) {
      // A silent alert may only turn firing after its window and `for` have passed; a fired one needs time to resolve.
      const settleS = rule ? Math.max(0, ...rule.windows.map(([, to]) => parseDuration(to) / 1_000)) + (rule.for ? parseDuration(rule.for[1]) / 1_000 : 0) + DETECTION_LAG_S : DETECTION_LAG_S;
      const settleUntil = window.healedAt + settleS;
      const resolveUntil = options.now() + RESOLVE_TIMEOUT_S;
      while (options.now() < settleUntil || (transitions.some((x) => x.state === 'firing') && transitions.at(-1)?.state !== 'inactive' && options.now() < resolveUntil)) await sleep(250);
      const evidence = rule ? await gatherEvidence(prom, rule.expr, Math.max(1, Math.ceil(options.now() - window.injectedAt))).catch(() => undefined) : undefined;
      await stop();
      const judged = judgeAlert(expectation, transitions, window);
      // Silence means nothing when the rule never saw the service's metrics.
      if (judged.status === 'stayed-silent' && evidence && Object.values(evidence.series).every((n) => n === 0)) {
        return { ...base, status: 'not-checked', reason: `none of ${Object.keys(evidence.series).join(', ')} was scraped, so silence proves nothing`, ...(rule ? { rule } : {}), evidence, transitions };
      }
      const reason = judged.reason ?? (pollError ? `last poll error: ${pollError}` : undefined);
      return { ...base, ...judged, ...(reason ? { reason } : {}), ...(rule ? { rule } : {}), ...(evidence ? { evidence } : {}), transitions };
    },
    close: async () => {
      if (!stopped) await stop();
    },
  };
}
