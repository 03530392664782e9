import type { Simulator } from '../../evals/sim/index.js';
import type { TestRedis } from '../../agent/src/index.js';
import type { ServiceProcess } from '../../load/service-process.js';
import type { Balancer } from './balancer.js';
import type { AlertExpectation } from './prometheus.js';

export const DRILL_IDS = ['redis-kill', 'redis-freeze', 'model-503', 'model-latency-x10', 'replica-kill', 'memory-pressure'] as const;
export type DrillId = (typeof DRILL_IDS)[number];

/** The steady state a drill must keep (errors < 1 %, P95 ≤ 5 s, recovery < 30 s, no data loss). */
export interface Hypothesis {
  minSuccessBefore: number;
  minSuccessDuring: number;
  minSuccessAfter: number;
  maxP95Ms: number;
  maxP95MsDuring: number;
  recoveryDeadlineSeconds: number;
  /** Eval subset during the fault: at least this many cases must be answered, and every answered one must pass. */
  minQualityAnswered: number;
}

export const DEFAULT_HYPOTHESIS: Hypothesis = {
  minSuccessBefore: 0.99,
  minSuccessDuring: 0,
  minSuccessAfter: 0.99,
  maxP95Ms: 5_000,
  maxP95MsDuring: 5_000,
  recoveryDeadlineSeconds: 30,
  minQualityAnswered: 0,
};

export interface StackSpec {
  /** A private redis-server: persistent = append-only file fsynced on every write (RPO 0), ephemeral = nothing on disk. */
  redis?: 'persistent' | 'ephemeral';
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
  redis?: TestRedis;
  services: ServiceProcess[];
  balancer?: Balancer;
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
  stack: StackSpec;
  hypothesis?: Partial<Hypothesis>;
  /** Causes the fault; returns its injection proof (pids, fault counters, exit signals). */
  inject(stack: Stack): Promise<Record<string, unknown>>;
  /** Ends the fault; returns proof too. */
  heal(stack: Stack): Promise<Record<string, unknown>>;
  withoutResilience: { feature: string; stack?: Partial<StackSpec>; hypothesis?: Partial<Hypothesis> };
  /** The deploy/monitoring alert this fault should (or must not) raise; kept equal to chaos/experiments by drills.test.ts. */
  alert: AlertExpectation;
}
