import type { Simulator } from '../../evals/sim/index.js';
import type { RedisServer } from '../../load/index.js';
import type { ServiceProcess } from '../../load/index.js';
import type { Balancer } from './balancer.js';
import type { RedisHa } from './redis-ha.js';
import type { AlertExpectation } from './alerts/judge-alert.js';

export const DRILL_IDS = ['redis-kill', 'redis-freeze', 'model-503', 'model-latency-x10', 'replica-kill', 'memory-pressure', 'redis-failover', 'redis-restore'] as const;
export type DrillId = (typeof DRILL_IDS)[number];

/**
 * The design's answer to a fault it does not mask (redis-kill: refuse a chat rather than forget it): every request sent
 * while the fault is on is refused within `maxMs` with this status and error code; none hangs, none is a 500.
 */
export interface Refusal {
  status: number;
  /** The documented error code (docs/ERRORS.md) the refusal carries. */
  code: string;
  maxMs: number;
  /**
   * The fault heals itself while it lasts (Sentinel promotes a replica): a request may also be served. Every request is
   * then served, or refused as above; none hangs, none is a 500, and no refusal need be seen.
   */
  mayServe?: boolean;
}

/**
 * The steady state a drill must keep (the targets: errors < 1 %, P95 ≤ 5 s, recovery < 30 s, no data loss). Every
 * phase states what must hold and can be seen failing: the during phase either serves (`minSuccessDuring` > 0 with
 * `maxP95MsDuring`) or refuses (`refuseDuring`), never "≥ 0 %"; validateHypothesis rejects a bound nothing can miss.
 */
export interface Hypothesis {
  minSuccessBefore: number;
  /** Serve through the fault: at least this share succeeds. Exactly one of this and refuseDuring. */
  minSuccessDuring?: number;
  /** Refuse during the fault, as the design intends. Exactly one of this and minSuccessDuring. */
  refuseDuring?: Refusal;
  minSuccessAfter: number;
  maxP95Ms: number;
  maxP95MsDuring: number;
  recoveryDeadlineSeconds: number;
  /** Eval subset during a fault the service serves through: at least this many cases answered, and every answered one passes. */
  minQualityAnswered: number;
  /**
   * The data-loss window (RPO) the design accepts: a thread acknowledged less than this many seconds before the fault
   * may be lost (counted and reported), every older one must read back whole. 0 (the default): nothing may be lost.
   */
  rpoSeconds?: number;
}

export const DEFAULT_HYPOTHESIS: Hypothesis = {
  minSuccessBefore: 0.99,
  minSuccessAfter: 0.99,
  maxP95Ms: 5_000,
  maxP95MsDuring: 5_000,
  recoveryDeadlineSeconds: 30,
  minQualityAnswered: 1,
};

/** A probe request gives up after this long (status 0): a latency bound at or above it can never be exceeded. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * Why a hypothesis cannot be seen failing, or nothing: a success floor of 0 % (or above 100 %), a latency bound the
 * probe's own timeout keeps anything from exceeding, neither or both of serve and refuse during the fault, a
 * refusal with a 500 or a non-error status, or a quality probe that needs no answer while the service serves.
 *
 * @example
 *   hypothesisProblems({ ...DEFAULT_HYPOTHESIS, minSuccessDuring: 0 }); // ['minSuccessDuring 0: a floor of 0 % cannot fail']
 */
export function hypothesisProblems(h: Hypothesis): string[] {
  const problems: string[] = [];
  const share = (name: string, v: number | undefined) => {
    if (v === undefined) return;
    if (!(v > 0)) problems.push(`${name} ${v}: a floor of 0 % cannot fail`);
    if (v > 1) problems.push(`${name} ${v}: a share above 100 % can never hold`);
  };
  share('minSuccessBefore', h.minSuccessBefore);
  share('minSuccessAfter', h.minSuccessAfter);
  share('minSuccessDuring', h.minSuccessDuring);
  for (const [name, ms] of [['maxP95Ms', h.maxP95Ms], ['maxP95MsDuring', h.maxP95MsDuring], ['refuseDuring.maxMs', h.refuseDuring?.maxMs]] as const)
    if (ms !== undefined && (!(ms > 0) || ms >= PROBE_TIMEOUT_MS)) problems.push(`${name} ${ms} ms: must be in (0, ${PROBE_TIMEOUT_MS}) ms, since a probe gives up at ${PROBE_TIMEOUT_MS} ms and nothing can exceed that`);
  if ((h.minSuccessDuring === undefined) === (h.refuseDuring === undefined)) problems.push('the during phase must state exactly one of minSuccessDuring (serve through the fault) and refuseDuring (refuse as designed)');
  if (h.refuseDuring) {
    if (h.refuseDuring.status < 400 || h.refuseDuring.status > 599 || h.refuseDuring.status === 500) problems.push(`refuseDuring.status ${h.refuseDuring.status}: a refusal is a documented 4xx/5xx, never a 500`);
    if (!/^[A-Z]+_ERR_[A-Z_]+$/.test(h.refuseDuring.code)) problems.push(`refuseDuring.code ${h.refuseDuring.code}: name the documented error code`);
  } else if (!(h.minQualityAnswered >= 1)) problems.push(`minQualityAnswered ${h.minQualityAnswered}: a quality probe that needs no answer measures nothing`);
  if (h.rpoSeconds !== undefined && !(h.rpoSeconds >= 0 && h.rpoSeconds <= 5)) problems.push(`rpoSeconds ${h.rpoSeconds}: must be in [0, 5] s, or the data check forgives what the design promises to keep`);
  if (!(h.recoveryDeadlineSeconds > 0)) problems.push(`recoveryDeadlineSeconds ${h.recoveryDeadlineSeconds}: must be > 0`);
  return problems;
}

export interface StackSpec {
  /**
   * A private redis-server: persistent = append-only file fsynced on every write (RPO 0), ephemeral = nothing on disk,
   * replicated = a master, two replicas and three Sentinels (lab/redis-ha.ts), as deploy/k8s runs it.
   */
  redis?: 'persistent' | 'ephemeral' | 'replicated';
  /** With `replicated`: the service finds the master through the Sentinels (REDIS_SENTINELS, the default) or is pinned to the first master's URL. */
  redisClient?: 'sentinel' | 'direct';
  /** redis-restore: the backup is taken before the wipe (default); false = nothing to restore from. */
  backup?: boolean;
  /** A second simulator configured as LLM_FALLBACK_*. */
  fallback?: boolean;
  /** More than one puts a round-robin balancer in front. */
  replicas?: number;
  /** The balancer drops replicas that fail /health; off = blind round robin. */
  healthChecks?: boolean;
  /** Node flags for the service processes (heap limit, preloads). */
  nodeArgs?: string[];
  /** Extra service environment (LLM_TIMEOUT_MS …). */
  env?: Record<string, string>;
}

/** What a drill's inject and heal see: every part of the running system. */
export interface Stack {
  /** Where clients go: the balancer, or the only replica. */
  url: string;
  primary: Simulator;
  fallback?: Simulator;
  redis?: RedisServer;
  /** The replicated group, when the spec asked for one. */
  redisHa?: RedisHa;
  services: ServiceProcess[];
  balancer?: Balancer;
  /** A private temp dir for the drill's own files (a backup), removed with the stack. */
  scratch: string;
  /** The spec this stack was started from (after the can-fail overrides). */
  spec: StackSpec;
  /** The simulator's normal pacing, so a drill can scale it and restore it. */
  baseFaults: { ttftMs: number; tokensPerSecond: number };
}

/**
 * One local chaos drill: the stack it needs, the fault (inject → faultSeconds → heal) and its proof, the hypothesis
 * overrides, and how to switch its resilience feature off (the test that shows the hypothesis can fail).
 *
 * @example
 *   export const model503 = {
 *     id: 'model-503', title: 'model endpoint answers 503', runbook: 'R2', faultSeconds: 5,
 *     stack: { fallback: true }, hypothesis: { minSuccessDuring: 0.9 },
 *     inject: async (s) => { s.primary.setFaults({ errorRate: 1 }); return {}; }, heal: async (s) => { s.primary.setFaults(s.baseFaults); return {}; },
 *     withoutResilience: { feature: 'no fallback model', stack: { fallback: false } },
 *   } satisfies Drill;
 */
export interface Drill {
  id: DrillId;
  title: string;
  /** The incident runbook (the original's R1–R5, see docs/runbooks/) the drill rehearses. */
  runbook: string;
  faultSeconds: number;
  /** How long the steady state is measured before the fault (default 4 s); longer where the data check needs many threads written well before it. */
  beforeSeconds?: number;
  stack: StackSpec;
  hypothesis?: Partial<Hypothesis>;
  /** Causes the fault; returns its injection proof (pids, fault counters, exit signals). */
  inject(stack: Stack): Promise<Record<string, unknown>>;
  /** Ends the fault; returns proof too. */
  heal(stack: Stack): Promise<Record<string, unknown>>;
  /**
   * `from-fault`: nobody undoes the fault (Sentinel promotes a replica by itself), so heal() only observes, recovery
   * (the RTO) is counted from the injection, and the during phase lasts until the service is back. Default: counted
   * from heal().
   */
  recoveryClock?: 'from-fault';
  withoutResilience: { feature: string; stack?: Partial<StackSpec>; hypothesis?: Partial<Hypothesis> };
  /** The deploy/monitoring alert this fault should (or must not) raise; kept equal to chaos/experiments by drills.test.ts. */
  alert: AlertExpectation;
}
