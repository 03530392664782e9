import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, type ChaosResult } from '../../evals/report/index.js';
import type { AlertJournal } from './alerts/judge-alert.js';
import { startAlertLab, type AlertLab, type AlertWatch } from './alerts/watch-alert.js';
import { startProbe, warmUp, type Sample } from './probe.js';
import { describeQuality, runQualitySubset, type QualityResult } from './quality.js';
import { startStack, type ServiceCode } from './stack.js';
import { DEFAULT_HYPOTHESIS, type Drill, type Hypothesis, type Refusal, type StackSpec } from './types.js';

export interface DrillRunOptions {
  /** Steady load in requests/s (small: loopback, bounded). */
  rate?: number;
  beforeSeconds?: number;
  /** How long the after phase is measured once the service has recovered. */
  afterSeconds?: number;
  /** Overrides the drill's fault duration (tests keep it short). */
  faultSeconds?: number;
  /** Run with the drill's resilience feature switched off: the hypothesis is expected to fail. */
  withoutResilience?: boolean;
  hypothesis?: Partial<Hypothesis>;
  journalDir?: string;
  /** false = no alert check (`--no-prometheus`); otherwise a private Prometheus runs when the binary exists. */
  prometheus?: boolean;
  /** The run's shared alert check (one Prometheus for every drill); without it the drill starts and stops its own. */
  alerts?: AlertLab;
  /** What the service processes run (default the sources through tsx); the CLI builds a bundle once per run. */
  service?: ServiceCode;
  onProgress?: (line: string) => void;
}

export interface PhaseStats {
  held: boolean;
  /** What the phase had to show: served (a success share and a P95 bound) or refused as designed. */
  expect: 'serve' | 'refuse';
  requests: number;
  successRate: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  /** Refuse phases: requests refused as the hypothesis says, and those that were neither served nor so refused. */
  refused?: number;
  wrong?: number;
  detail: string;
}

export interface Journal {
  drill: string;
  title: string;
  runbook: string;
  withoutResilience?: string;
  hypothesis: Hypothesis;
  stack: StackSpec;
  /** Which code served: the sources through tsx, or the bundle built for this run (and where it was). */
  service: { entry: 'source' | 'bundle'; root?: string };
  timeline: { t: number; event: string; ok?: boolean }[];
  proof: Record<string, unknown>;
  phases: { before: PhaseStats; during: PhaseStats; after: PhaseStats };
  quality?: QualityResult;
  integrity: { checked: number; intact: number; lost: string[]; corrupted: string[] };
  /** Threads acknowledged within the accepted data-loss window before the fault (rpoSeconds): how many, and which were lost. */
  rpo?: RpoStats;
  recoverySeconds: number | null;
  /** The drill's alert as a private Prometheus saw it, or why it was not checked. */
  alert: AlertJournal;
  violations: string[];
  verdict: 'pass' | 'fail';
}

export interface RpoStats {
  windowSeconds: number;
  /** Threads acknowledged in the window (or in flight at the fault and acknowledged after it). */
  acknowledged: number;
  lost: number;
  /** The lost threads, by id. */
  lostIds: string[];
}

/** Consecutive successes that count as "back to steady state". */
const RECOVERY_STREAK = 5;

function phase(samples: Sample[], minSuccess: number, maxP95: number): PhaseStats {
  const ok = samples.filter((s) => s.ok).length;
  const successRate = samples.length ? ok / samples.length : 0;
  const p95Ms = percentile(samples.map((s) => s.ms), 95);
  const held = samples.length > 0 && successRate >= minSuccess && p95Ms <= maxP95;
  return {
    held,
    expect: 'serve',
    requests: samples.length,
    successRate,
    errorRate: 1 - successRate,
    p50Ms: percentile(samples.map((s) => s.ms), 50),
    p95Ms,
    detail: samples.length ? `${ok}/${samples.length} ok (need ≥${(minSuccess * 100).toFixed(0)} %), p95 ${p95Ms} ms (need ≤${maxP95} ms)` : 'not measured: no request in this phase',
  };
}

const outcomeOf = (s: Sample) => (s.status === 0 ? 'hung or no answer' : s.ok ? 'served' : `HTTP ${s.status}${s.code ? ` ${s.code}` : ''}`);

/**
 * The during phase of a fault the design refuses: every request sent after the fault took effect is refused with the
 * documented status and code within `maxMs`; one already in flight may finish served or refused so. None hangs, none
 * is a 500 or another code, and at least one is refused (else the refusal was never seen).
 */
export function refusalPhase(samples: Sample[], injectedAt: number, refuse: Refusal): PhaseStats {
  const isRefusal = (s: Sample) => s.status === refuse.status && s.code === refuse.code;
  const inFlight = (s: Sample) => s.sentAt < injectedAt;
  const right = (s: Sample) => (inFlight(s) || refuse.mayServe ? s.ok || isRefusal(s) : isRefusal(s)) && (s.ok || inFlight(s) || s.ms <= refuse.maxMs);
  const refused = samples.filter(isRefusal).length;
  const wrong = samples.filter((s) => !right(s));
  const ok = samples.filter((s) => s.ok).length;
  const counts = new Map<string, number>();
  for (const s of wrong) counts.set(outcomeOf(s), (counts.get(outcomeOf(s)) ?? 0) + 1);
  const slow = wrong.filter((s) => isRefusal(s)).length;
  const held = samples.length > 0 && wrong.length === 0 && (refused > 0 || refuse.mayServe === true);
  const want = `every request ${refuse.mayServe ? 'served or ' : ''}refused with ${refuse.status} ${refuse.code} within ${refuse.maxMs} ms, none hung, none a 500`;
  return {
    held,
    expect: 'refuse',
    requests: samples.length,
    successRate: samples.length ? ok / samples.length : 0,
    errorRate: samples.length ? 1 - ok / samples.length : 0,
    p50Ms: percentile(samples.map((s) => s.ms), 50),
    p95Ms: percentile(samples.map((s) => s.ms), 95),
    refused,
    wrong: wrong.length,
    detail: samples.length
      ? `${refused}/${samples.length} refused, ${wrong.length} otherwise${wrong.length ? ` (${[...counts].map(([k, n]) => `${k}${k.startsWith(`HTTP ${refuse.status}`) && slow ? ' too slow' : ''} ×${n}`).join(', ')})` : ''} (need: ${want})`
      : 'not measured: no request in this phase',
  };
}

/**
 * What the eval subset during the fault must show. Serving through the fault: at least minQualityAnswered answered and
 * every answer passes grading. Refusing as designed: every case refused with the documented status and code (an answer
 * must still pass). No answer is "not measured", never a pass.
 */
export function judgeQuality(q: QualityResult, h: Pick<Hypothesis, 'minQualityAnswered' | 'refuseDuring'>): string[] {
  const problems: string[] = [];
  if (q.passed < q.answered) problems.push(`quality: ${q.answered - q.passed} answer(s) during the fault failed grading`);
  if (h.refuseDuring) {
    const refusal = h.refuseDuring;
    const other = q.results.filter((r) => !r.answered && !(r.status === refusal.status && r.code === refusal.code));
    if (other.length) problems.push(`quality: ${other.map((r) => `${r.id} ${r.reason}`).join(', ')}; need answered or refused with ${refusal.status} ${refusal.code}`);
  } else if (q.answered < h.minQualityAnswered) problems.push(`quality: ${describeQuality(q)} during the fault (need ≥${h.minQualityAnswered} answered)`);
  return problems;
}

/** The send time of the first of RECOVERY_STREAK consecutive successes sent after the fault ended. */
export function recoveryPoint(samples: readonly Sample[], healedAt: number): number | undefined {
  const after = samples.filter((s) => s.sentAt >= healedAt).sort((a, b) => a.seq - b.seq);
  for (let i = 0; i + RECOVERY_STREAK <= after.length; i++) {
    const run = after.slice(i, i + RECOVERY_STREAK);
    if (run.every((s) => s.done && s.ok)) return run[0]!.sentAt;
    if (!run.every((s) => s.done)) return undefined;
  }
  return undefined;
}

async function checkThreads(url: string, samples: Sample[]): Promise<Journal['integrity']> {
  const lost: string[] = [];
  const corrupted: string[] = [];
  for (const s of samples) {
    let verdict: 'intact' | 'lost' | 'corrupted' = 'lost';
    for (let attempt = 0; attempt < 3 && verdict === 'lost'; attempt++) {
      try {
        const res = await fetch(`${url}/v1/threads/${s.threadId}`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) {
          const body = (await res.json()) as { messages?: { role: string; content: string }[] };
          const messages = body.messages ?? [];
          const intact = messages.some((m) => m.role === 'user' && m.content === s.message) && messages.some((m) => m.role === 'assistant' && m.content.length > 0);
          verdict = intact ? 'intact' : 'corrupted';
        } else if (res.status === 404) break;
      } catch {
        // Retried: a read that fails once is not yet a lost thread.
      }
      if (verdict === 'lost') await sleep(300);
    }
    if (verdict === 'lost') lost.push(s.threadId);
    if (verdict === 'corrupted') corrupted.push(s.threadId);
  }
  return { checked: samples.length, intact: samples.length - lost.length - corrupted.length, lost, corrupted };
}

/**
 * Runs one drill: steady load → before → inject → during (+ the graded eval subset) → heal → wait for recovery →
 * after → thread read-back; evaluates the hypothesis, writes the journal, and always tears the stack down.
 */
export async function runDrill(drill: Drill, options: DrillRunOptions = {}): Promise<{ result: ChaosResult; journal: Journal }> {
  const log = options.onProgress ?? (() => {});
  const off = options.withoutResilience ? drill.withoutResilience : undefined;
  const spec: StackSpec = { ...drill.stack, ...off?.stack, env: { ...drill.stack.env, ...off?.stack?.env } };
  const h: Hypothesis = { ...DEFAULT_HYPOTHESIS, ...drill.hypothesis, ...off?.hypothesis, ...options.hypothesis };
  const rate = options.rate ?? 4;
  const faultSeconds = options.faultSeconds ?? drill.faultSeconds;
  const afterSeconds = options.afterSeconds ?? 4;
  const timeline: Journal['timeline'] = [];
  const origin = performance.now();
  const now = () => Math.round((performance.now() - origin) / 10) / 100;
  const mark = (event: string, ok?: boolean) => {
    timeline.push({ t: now(), event, ...(ok === undefined ? {} : { ok }) });
    log(`  [${drill.id} ${now().toFixed(1)} s] ${event}`);
  };

  log(`drill ${drill.id}: ${drill.title}${off ? ` (resilience off: ${off.feature})` : ''}`);
  const code = options.service ?? { entry: 'source' };
  const ownAlerts = options.alerts ? undefined : startAlertLab({ enabled: options.prometheus });
  let alertWatch: AlertWatch | undefined;
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    alertWatch = await (options.alerts ?? ownAlerts!).watch({ expectation: drill.alert, now, log: (line) => mark(line) });
    // Prometheus learns the service URLs while they start, so its 5 s target tick passes during the start-up.
    const watch = alertWatch;
    stack = await startStack(spec, code, (urls) => watch.announce(urls));
  } catch (err) {
    await alertWatch?.close();
    await ownAlerts?.close();
    throw err;
  }
  const proof: Record<string, unknown> = {};
  let probe: ReturnType<typeof startProbe> | undefined;
  try {
    mark(`stack up: ${stack.services.length} service process(es) from the ${code.entry === 'bundle' ? 'bundle built for this run' : 'sources (tsx)'}${stack.redis ? ', redis' : ''}${stack.fallback ? ', fallback model' : ''}${stack.balancer ? ', balancer' : ''}`);
    // Every service process of the stack serves once before the steady state is measured (a cold process's first
    // requests took over 4 s on a busy machine, leaving a "before" phase with nothing in it).
    await Promise.all(stack.services.map((service) => warmUp(service.url)));
    // Before the load starts, so the drill's own phases keep the timing they have without Prometheus.
    await alertWatch.baseline();
    probe = startProbe(stack.url, { rate, origin, prefix: `${drill.id}-${Date.now().toString(36)}` });
    await sleep((options.beforeSeconds ?? drill.beforeSeconds ?? 4) * 1000);
    const injectedAt = now();
    proof.inject = await drill.inject(stack);
    mark(`fault injected: ${JSON.stringify(proof.inject)}`);
    const quality = runQualitySubset(stack.url, `${drill.id}-${Date.now().toString(36)}`, 10_000);
    await sleep(faultSeconds * 1000);
    const healedAt = now();
    proof.heal = await drill.heal(stack);
    mark(`fault ended: ${JSON.stringify(proof.heal)}`);
    const qualityResult = await quality;
    const qualityProblems = judgeQuality(qualityResult, h);
    mark(`eval subset during the fault: ${describeQuality(qualityResult)}`, qualityProblems.length === 0);

    // A self-healing fault (Sentinel failover) has no operator step: recovery, the RTO, counts from the injection.
    const clockStart = drill.recoveryClock === 'from-fault' ? injectedAt : healedAt;
    const deadline = clockStart + h.recoveryDeadlineSeconds;
    let recoveredAt: number | undefined;
    while (now() < deadline + afterSeconds) {
      recoveredAt ??= recoveryPoint(probe.samples, clockStart);
      if (recoveredAt !== undefined && now() >= recoveredAt + afterSeconds) break;
      if (recoveredAt === undefined && now() > deadline) break;
      await sleep(250);
    }
    await probe.stop();
    recoveredAt ??= recoveryPoint(probe.samples, clockStart);
    const recoverySeconds = recoveredAt === undefined ? null : Math.round(Math.max(0, recoveredAt - clockStart) * 100) / 100;
    mark(recoverySeconds === null ? 'no recovery within the deadline' : `recovered ${recoverySeconds} s after the fault ${clockStart === injectedAt ? 'was injected (RTO)' : 'ended'}`, recoverySeconds !== null && recoverySeconds <= h.recoveryDeadlineSeconds);

    const samples = probe.samples;
    // A request still in flight when the fault hits belongs to the fault, not to the steady state before it.
    const endedBefore = (s: Sample) => s.sentAt + s.ms / 1000 < injectedAt;
    const duringEnd = drill.recoveryClock === 'from-fault' ? (recoveredAt ?? Infinity) : healedAt;
    const beforeSamples = samples.filter(endedBefore);
    const phases = {
      before: phase(beforeSamples, h.minSuccessBefore, h.maxP95Ms),
      during: h.refuseDuring
        ? refusalPhase(samples.filter((s) => !endedBefore(s) && s.sentAt < duringEnd), injectedAt, h.refuseDuring)
        : phase(samples.filter((s) => !endedBefore(s) && s.sentAt < duringEnd), h.minSuccessDuring ?? 1, h.maxP95MsDuring),
      after: phase(samples.filter((s) => s.sentAt >= (recoveredAt ?? healedAt)), h.minSuccessAfter, h.maxP95Ms),
    };
    // Threads acknowledged before the fault must read back whole; those in the accepted loss window are only counted.
    const windowStart = injectedAt - (h.rpoSeconds ?? 0);
    const inWindow = (s: Sample) => s.ok && s.sentAt < injectedAt && s.sentAt + s.ms / 1000 >= windowStart;
    const integrity = await checkThreads(stack.url, beforeSamples.filter((s) => s.ok && !inWindow(s)));
    mark(`data: ${integrity.intact}/${integrity.checked} threads written before the fault${h.rpoSeconds ? ` (more than ${h.rpoSeconds} s before)` : ''} intact`, integrity.intact === integrity.checked);
    let rpo: RpoStats | undefined;
    if (h.rpoSeconds) {
      const window = await checkThreads(stack.url, samples.filter(inWindow));
      rpo = { windowSeconds: h.rpoSeconds, acknowledged: window.checked, lost: window.lost.length + window.corrupted.length, lostIds: [...window.lost, ...window.corrupted] };
      mark(`RPO: ${rpo.lost}/${rpo.acknowledged} threads acknowledged in the last ${h.rpoSeconds} s before the fault (or in flight) lost`);
    }
    const health = await Promise.all(stack.services.map(async (s) => (await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true));

    const alert = await alertWatch.finish({ injectedAt, healedAt });
    const alertLine =
      alert.status === 'not-checked'
        ? `alert ${alert.alert} (${alert.expectation}) not checked: ${alert.reason}`
        : `alert ${alert.alert} (${alert.expectation}): ${alert.status}${alert.firedAt === undefined ? '' : `, fired at ${alert.firedAt} s`}${alert.resolvedAt === undefined ? '' : `, resolved at ${alert.resolvedAt} s`}${alert.reason ? ` (${alert.reason})` : ''}`;
    timeline.push({ t: now(), event: alertLine, ...(alert.status === 'not-checked' ? {} : { ok: alert.status !== 'violated' }) });
    log(`  [${drill.id} ${now().toFixed(1)} s] ${alertLine}`);

    const violations: string[] = [];
    for (const [name, stats] of Object.entries(phases)) if (!stats.held) violations.push(`${name}: ${stats.detail}`);
    if (recoverySeconds === null || recoverySeconds > h.recoveryDeadlineSeconds) violations.push(`recovery ${recoverySeconds ?? 'never'} s > ${h.recoveryDeadlineSeconds} s`);
    violations.push(...qualityProblems);
    if (integrity.lost.length || integrity.corrupted.length) violations.push(`data: ${integrity.lost.length} thread(s) lost, ${integrity.corrupted.length} corrupted`);
    if (alert.status === 'violated') violations.push(`alert: ${alert.reason}`);
    if (health.some((ok) => !ok)) violations.push(`a service process is down after the drill: ${stack.services.map((s, i) => (health[i] ? '' : s.stderrTail().slice(-300))).join(' ')}`);
    const verdict = violations.length ? 'fail' : 'pass';
    mark(`verdict ${verdict}${violations.length ? `: ${violations.join('; ')}` : ''}`, verdict === 'pass');

    const journal: Journal = {
      drill: drill.id,
      title: drill.title,
      runbook: drill.runbook,
      ...(off ? { withoutResilience: off.feature } : {}),
      hypothesis: h,
      stack: spec,
      service: code,
      timeline,
      proof,
      phases,
      quality: qualityResult,
      integrity,
      ...(rpo ? { rpo } : {}),
      recoverySeconds,
      alert,
      violations,
      verdict,
    };
    if (options.journalDir) {
      await mkdir(options.journalDir, { recursive: true });
      await writeFile(join(options.journalDir, `${drill.id}.json`), `${JSON.stringify({ ...journal, samples }, null, 2)}\n`);
    }
    const result: ChaosResult = {
      drill: drill.id,
      verdict,
      before: { ...phases.before },
      during: {
        ...phases.during,
        quality: { answered: qualityResult.answered, passed: qualityResult.passed, cases: qualityResult.cases, measured: qualityResult.answered > 0, summary: describeQuality(qualityResult) },
      },
      after: { ...phases.after, threadsChecked: integrity.checked, threadsIntact: integrity.intact, ...(rpo ? { rpo: { windowSeconds: rpo.windowSeconds, acknowledged: rpo.acknowledged, lost: rpo.lost } } : {}) },
      recoverySeconds,
      deadlineSeconds: h.recoveryDeadlineSeconds,
      timeline,
    };
    return { result, journal };
  } finally {
    await probe?.stop();
    await alertWatch.close();
    await stack.close();
    await ownAlerts?.close();
  }
}
