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
  /**
   * Points Prometheus at the drill's service processes, and at nothing else. Called before they are up: Prometheus
   * applies target changes on a 5 s tick, so announcing them while the services start hides most of that wait.
   */
  announce(targets: readonly string[]): Promise<void>;
  /**
   * Waits (bounded) until exactly the announced targets are scraped and up, the alert is inactive, and no sample of
   * an earlier drill's targets is left inside the rule's windows, so a later firing belongs to this drill's fault.
   */
  baseline(timeoutMs?: number): Promise<void>;
  /** Keeps watching until the alert settles (bounded), takes the drill's targets out and judges. */
  finish(window: { injectedAt: number; healedAt: number }): Promise<AlertJournal>;
  close(): Promise<void>;
}

/** One Prometheus for a whole chaos run: each drill watches its alert on it in turn (one drill at a time). */
export interface AlertLab {
  watch(options: { expectation: AlertExpectation; now: () => number; log?: (line: string) => void }): Promise<AlertWatch>;
  /** Stops Prometheus (if a drill started it). */
  close(): Promise<void>;
}

/**
 * The alert check for a run of drills: a private Prometheus, started when the first drill whose alert is checkable on
 * one machine needs it (and the binary exists and `enabled` is not false), then shared by the following drills, each
 * of which points it at its own services only and polls /api/v1/alerts every 250 ms; otherwise every answer is
 * "not checked". Saves a Prometheus start and stop per drill; what each drill is judged on is unchanged.
 */
export function startAlertLab(options: { enabled?: boolean } = {}): AlertLab {
  let started: Promise<DrillPrometheus> | undefined;
  /** performance.now() when the last drill's targets were taken out. */
  let withdrawnAt = -Infinity;
  return {
    async watch({ expectation, now, log }) {
      const base = { alert: expectation.name, expectation: expectation.expect, ...(expectation.differsFromCluster ? { differsFromCluster: expectation.differsFromCluster } : {}), transitions: [] };
      const notChecked = (reason: string): AlertWatch => ({
        announce: async () => {},
        baseline: async () => {},
        finish: async () => ({ ...base, status: 'not-checked', reason }),
        close: async () => {},
      });
      if (expectation.notCheckableLocally) return notChecked(expectation.notCheckableLocally);
      if (options.enabled === false) return notChecked('Prometheus disabled (--no-prometheus)');
      if (!(await prometheusVersion())) return notChecked('no prometheus binary on PATH (Debian package `prometheus`)');
      started ??= startDrillPrometheus({ targets: [] });
      let prom: DrillPrometheus;
      try {
        prom = await started;
      } catch (err) {
        // The next drill tries again with a Prometheus of its own.
        started = undefined;
        return notChecked(`prometheus did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
      const transitions: AlertJournal['transitions'] = [];
      let pollError: string | undefined;
      let stopped = false;
      let announced: string[] = [];
      const poll = (async () => {
        while (!stopped) {
          try {
            const state = await prom.alertState(expectation.name);
            if (transitions.at(-1)?.state !== state && !(transitions.length === 0 && state === 'inactive')) {
              transitions.push({ t: now(), state });
              log?.(`alert ${expectation.name}: ${state}`);
            }
            pollError = undefined;
          } catch (err) {
            pollError = err instanceof Error ? err.message : String(err);
          }
          await sleep(250);
        }
      })();
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await poll;
        await prom.setTargets([]).catch(() => {});
        withdrawnAt = performance.now();
      };
      const rule = prom.changes[expectation.name];
      const longestWindowMs = rule ? Math.max(0, ...rule.windows.map(([, to]) => parseDuration(to))) : 0;
      return {
        async announce(targets) {
          announced = targets.map((t) => new URL(t).host);
          await prom.setTargets(targets);
        },
        async baseline(timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const targets = await prom.targets().catch(() => []);
            const state = transitions.at(-1)?.state ?? 'inactive';
            const hosts = targets.map((t) => new URL(t.scrapeUrl).host).sort();
            const exactlyOurs = hosts.length === announced.length && [...announced].sort().every((h, i) => h === hosts[i]);
            // One scrape more than the window: every range the rule reads then starts after the last earlier sample.
            const earlierOutOfWindow = performance.now() - withdrawnAt >= longestWindowMs + 1_000;
            if (exactlyOurs && targets.every((t) => t.health === 'up') && state === 'inactive' && earlierOutOfWindow) return;
            if (Date.now() > deadline) {
              log?.(`alert ${expectation.name}: no clean baseline within ${timeoutMs} ms (targets ${targets.map((t) => t.health).join(',') || 'none'}${exactlyOurs ? '' : ' (not the drill\'s own)'}, alert ${state})`);
              return;
            }
            await sleep(250);
          }
        },
        async finish(window) {
          // A silent alert may only turn firing after its window and `for` have passed; a fired one needs time to resolve.
          const settleS = rule ? longestWindowMs / 1_000 + (rule.for ? parseDuration(rule.for[1]) / 1_000 : 0) + DETECTION_LAG_S : DETECTION_LAG_S;
          const settleUntil = window.healedAt + settleS;
          const resolveUntil = now() + RESOLVE_TIMEOUT_S;
          while (now() < settleUntil || (transitions.some((x) => x.state === 'firing') && transitions.at(-1)?.state !== 'inactive' && now() < resolveUntil)) await sleep(250);
          const evidence = rule ? await gatherEvidence(prom, rule.expr, Math.max(1, Math.ceil(now() - window.injectedAt))).catch(() => undefined) : undefined;
          await stop();
          const judged = judgeAlert(expectation, transitions, window);
          // Silence means nothing when the rule never saw the service's metrics.
          if (judged.status === 'stayed-silent' && evidence && Object.values(evidence.series).every((n) => n === 0)) {
            return { ...base, status: 'not-checked', reason: `none of ${Object.keys(evidence.series).join(', ')} was scraped, so silence proves nothing`, ...(rule ? { rule } : {}), evidence, transitions };
          }
          const reason = judged.reason ?? (pollError ? `last poll error: ${pollError}` : undefined);
          return { ...base, ...judged, ...(reason ? { reason } : {}), ...(rule ? { rule } : {}), ...(evidence ? { evidence } : {}), transitions };
        },
        close: stop,
      };
    },
    async close() {
      const prom = await started?.catch(() => undefined);
      started = undefined;
      await prom?.close();
    },
  };
}
