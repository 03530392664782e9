import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile } from '../evals/report/index.js';
import type { Simulator } from '../evals/sim/index.js';
import { idleShare, loadAverage, machineTicks, type MachineTicks } from './machine-cpu.js';
import { processCpuMs, runQueueWaitMs } from './process-cpu.js';
import { PROFILES, ProfileSchema, type Profile } from './profiles.js';
import { outcomeOfRuns, runOnce, type RunMeasurement } from './runner.js';
import { SCENARIOS } from './scenarios.js';
import { startLoadSimulator, startServiceTarget, type LoadTarget } from './target.js';

/*
 * Issue 13, item 6: throughput at realistic model latency, on the shipped bundle (built by bench:service from the
 * current sources into a temp folder) as its own process, the simulator in this process. Part 1 steps a closed loop of C one-tool requests (2 model calls of
 * `callMs` each, so L = 2 × callMs) and compares the measured rate with the bound C / L; part 2 runs the `baseline`
 * load profile (60 req/s open loop over the scenario mix) through the load runner's own runOnce. CPU comes from /proc
 * (service: its pid; harness: this process, i.e. simulator + load generator), so a busy machine shows up as idle ≈ 0
 * and as starved steps rather than as a wrong CPU figure. The throughput part of `npm run bench:service`.
 */

export interface ThroughputOptions {
  /** Folder holding the bundle to measure as dist/service.mjs (bundleServiceToTemp's root). */
  bundleRoot: string;
  /** Closed-loop concurrency steps, ascending; stepping stops after the first CPU-saturated step. */
  concurrency: number[];
  /** Measured seconds per step (after a ramp of 2 L + 1 s). */
  stepSeconds: number;
  /** Simulated time of one model call (ttft, no token pacing), ms. */
  callMs: number;
  /** The baseline profile, possibly shortened for development (--baseline-runs / --baseline-seconds). */
  profile: Profile;
  log: (line: string) => void;
}

/** Goals of item 6. */
const EFFICIENCY_GOAL = 0.95;
const BASELINE_RPS_GOAL = 50;
const BASELINE_P95_GOAL_MS = 5_000;
/** Unmeasured warm-up of the baseline's fresh service. */
const WARMUP_SECONDS = 5;
/** A Node service runs its JavaScript on one thread: near one core of CPU it cannot go faster, whatever the cores. */
const SERVICE_SATURATED_CORES = 0.9;
/** Service + simulator + load generator using this share of all cores: the machine itself is the limit. */
const MACHINE_SATURATED_SHARE = 0.9;
/** Below this idle share of the machine, other processes took CPU the step would have used (a shared machine). */
const STARVED_IDLE_SHARE = 0.05;

/**
 * Options from `bench:service` flags: --steps 8,16,32 --step-seconds 20 --call-ms 1000 --baseline-runs N
 * --baseline-seconds S (the last two shorten the baseline profile for development; the default is the real profile).
 */
export function throughputOptions(args: ReadonlyMap<string, string>, log: (line: string) => void = console.log): Omit<ThroughputOptions, 'bundleRoot'> {
  const steps = (args.get('steps') ?? '8,16,32,64,128,256').split(',').map(Number);
  if (!steps.length || steps.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--steps: expected positive integers, e.g. 8,16,32 (got ${args.get('steps')})`);
  const runs = args.get('baseline-runs');
  const seconds = args.get('baseline-seconds');
  const profile = ProfileSchema.parse({ ...PROFILES.baseline, ...(runs ? { runs: Number(runs) } : {}), ...(seconds ? { durationSeconds: Number(seconds) } : {}) });
  return { concurrency: steps, stepSeconds: Number(args.get('step-seconds') ?? 20), callMs: Number(args.get('call-ms') ?? 1_000), profile, log };
}

/** CPU and run-queue wait of the service and of this process, and the machine's ticks, at one instant. */
interface CpuReading {
  serviceMs: number;
  serviceWaitMs: number;
  harnessMs: number;
  harnessWaitMs: number;
  machine: MachineTicks;
  at: number;
}

function readCpu(pid: number): CpuReading {
  return { serviceMs: processCpuMs(pid), serviceWaitMs: runQueueWaitMs(pid), harnessMs: processCpuMs('self'), harnessWaitMs: runQueueWaitMs('self'), machine: machineTicks(), at: performance.now() };
}

interface CpuUse {
  serviceCores: number;
  harnessCores: number;
  idle: number;
  serviceMs: number;
  /** ms the service's / this process's main thread waited, runnable, for a core. */
  serviceWaitMs: number;
  harnessWaitMs: number;
}

/** Cores used by the service and the harness between two readings, their run-queue waits, and the machine's idle share. */
function cpuBetween(a: CpuReading, b: CpuReading): CpuUse {
  const wall = b.at - a.at;
  return {
    serviceCores: (b.serviceMs - a.serviceMs) / wall,
    harnessCores: (b.harnessMs - a.harnessMs) / wall,
    idle: idleShare(a.machine, b.machine),
    serviceMs: b.serviceMs - a.serviceMs,
    serviceWaitMs: b.serviceWaitMs - a.serviceWaitMs,
    harnessWaitMs: b.harnessWaitMs - a.harnessWaitMs,
  };
}

/** What a step or a run reports of the CPU: cores used, CPU per answered request, waits for a core, the machine's idle share. */
interface CpuShares {
  serviceCores: number;
  harnessCores: number;
  serviceCpuMsPerRequest: number;
  /** Share of the window the service's / this process's JavaScript thread was runnable but had no core. */
  serviceWait: number;
  harnessWait: number;
  idle: number;
}

function cpuShares(cpu: CpuUse, wall: number, answered: number): CpuShares {
  return {
    serviceCores: cpu.serviceCores,
    harnessCores: cpu.harnessCores,
    serviceCpuMsPerRequest: answered ? cpu.serviceMs / answered : NaN,
    serviceWait: cpu.serviceWaitMs / wall,
    harnessWait: cpu.harnessWaitMs / wall,
    idle: cpu.idle,
  };
}

type Saturation = 'service' | 'starved' | 'machine' | 'no';

/**
 * Which CPU limit a step hit, if any (the definition the verdict uses): `service` its own CPU filled its thread;
 * `starved` its thread was never idle, running or runnable while other processes held the cores (on a shared machine
 * the service gets less than a core and is CPU-bound below its own limit); `machine` ours filled the cores.
 */
function saturation(cpu: CpuUse, wall: number, cores: number): Saturation {
  if (cpu.serviceCores >= SERVICE_SATURATED_CORES) return 'service';
  if (cpu.serviceCores + cpu.serviceWaitMs / wall >= SERVICE_SATURATED_CORES) return 'starved';
  if (cpu.serviceCores + cpu.harnessCores >= MACHINE_SATURATED_SHARE * cores) return 'machine';
  return 'no';
}

interface Step extends CpuShares {
  concurrency: number;
  rps: number;
  bound: number;
  efficiency: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  /** Failures by status and error code, e.g. {"503 LLM_ERR_CIRCUIT_OPEN": 12}. */
  causes: Record<string, number>;
  serviceLagP99Ms: number;
  harnessLagP99Ms: number;
  modelCallsPerRequest: number;
  saturated: Saturation;
  loadAverage: string;
}

const ONE_TOOL = SCENARIOS['one-tool'];
const REQUEST_TIMEOUT_MS = 30_000;

function countCauses(records: readonly { cause?: string }[]): Record<string, number> {
  const causes: Record<string, number> = {};
  for (const { cause } of records) if (cause) causes[cause] = (causes[cause] ?? 0) + 1;
  return causes;
}
/** The answer of datasets/cassettes/load/one-tool.yaml: a 200 without it is a failure, not throughput. */
const ONE_TOOL_ANSWER = 'Your workspace is empty';

/**
 * One closed-loop step: C workers, staggered over L so completions spread evenly, each sending one-tool requests back
 * to back; the rate counts the completions inside a window that starts once every worker finished a request.
 */
async function runStep(target: LoadTarget, sim: Simulator, pid: number, concurrency: number, options: ThroughputOptions, cores: number): Promise<Step> {
  const modelMs = ONE_TOOL.modelCalls * options.callMs;
  const pool = new Pool(target.url, { connections: concurrency, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connectTimeout: REQUEST_TIMEOUT_MS });
  const body = JSON.stringify({ message: ONE_TOOL.message });
  const done: { end: number; latency: number; ok: boolean; cause?: string }[] = [];
  let running = true;
  const servedBefore = sim.stats().served;
  const worker = async (i: number) => {
    await sleep((i * modelMs) / concurrency);
    while (running) {
      const start = performance.now();
      let ok = false;
      let cause: string | undefined;
      try {
        const res = await pool.request({ path: '/v1/chat', method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await res.body.text();
        ok = res.statusCode === 200 && text.includes(ONE_TOOL_ANSWER);
        // The service's error envelope names a code (e.g. a breaker open): the cause of a failure, not just its status.
        if (!ok) cause = `${res.statusCode} ${/"code":"([^"]+)"/.exec(text)?.[1] ?? 'unexpected answer'}`;
      } catch (err) {
        cause = err instanceof Error && err.name === 'TimeoutError' ? `timeout ${REQUEST_TIMEOUT_MS / 1_000} s` : `error ${(err as { code?: string }).code ?? (err as Error).message}`;
      }
      const end = performance.now();
      done.push({ end, latency: end - start, ok, ...(cause ? { cause } : {}) });
      // A failing service answers at once: do not spin on it.
      if (!ok) await sleep(100);
    }
  };
  const workers = Array.from({ length: concurrency }, (_, i) => worker(i));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  try {
    await sleep(2 * modelMs + 1_000);
    const stopMeasure = target.measure();
    lag.enable();
    const before = readCpu(pid);
    await sleep(options.stepSeconds * 1_000);
    const after = readCpu(pid);
    lag.disable();
    const resources = await stopMeasure();
    running = false;
    await Promise.all(workers);
    const inWindow = done.filter((d) => d.end >= before.at && d.end < after.at);
    const ok = inWindow.filter((d) => d.ok);
    const rps = ok.length / ((after.at - before.at) / 1_000);
    const bound = concurrency / (modelMs / 1_000);
    const cpu = cpuBetween(before, after);
    return {
      concurrency,
      rps,
      bound,
      efficiency: rps / bound,
      p50Ms: percentile(ok.map((d) => d.latency), 50),
      p95Ms: percentile(ok.map((d) => d.latency), 95),
      failures: inWindow.length - ok.length,
      causes: countCauses(inWindow),
      ...cpuShares(cpu, after.at - before.at, ok.length),
      serviceLagP99Ms: resources.eventLoopDelayP99Ms,
      harnessLagP99Ms: lag.percentile(99) / 1e6,
      // Over the whole step: every request the simulator answered for, so L = calls × callMs can be checked.
      modelCallsPerRequest: done.length ? (sim.stats().served - servedBefore) / done.length : NaN,
      saturated: saturation(cpu, after.at - before.at, cores),
      loadAverage: loadAverage(),
    };
  } finally {
    running = false;
    await Promise.all(workers);
    await pool.destroy();
  }
}

const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

function printSteps(steps: readonly Step[], options: ThroughputOptions, cores: number): boolean {
  const { log } = options;
  log(`\n| C | rps | bound C/L | efficiency | p50 ms | p95 ms | fail | service CPU | service ms/req | sim+loadgen CPU | machine idle | service waits for CPU | harness waits | service loop p99 ms | harness loop p99 ms | model calls/req | saturated | load avg |`);
  log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of steps) {
    log(
      `| ${s.concurrency} | ${s.rps.toFixed(1)} | ${s.bound.toFixed(1)} | ${s.efficiency.toFixed(3)} | ${s.p50Ms.toFixed(0)} | ${s.p95Ms.toFixed(0)} | ${s.failures} | ${pct(s.serviceCores)} | ${s.serviceCpuMsPerRequest.toFixed(1)} | ${pct(s.harnessCores)} | ${pct(s.idle)} | ${pct(s.serviceWait)} | ${pct(s.harnessWait)} | ${s.serviceLagP99Ms.toFixed(0)} | ${s.harnessLagP99Ms.toFixed(0)} | ${s.modelCallsPerRequest.toFixed(2)} | ${s.saturated} | ${s.loadAverage} |`,
    );
  }
  const below = steps.filter((s) => s.saturated === 'no');
  const short = below.filter((s) => s.efficiency < EFFICIENCY_GOAL);
  const starved = short.filter((s) => s.idle < STARVED_IDLE_SHARE);
  for (const s of steps) if (s.failures) log(`failures at C=${s.concurrency}: ${JSON.stringify(s.causes)}`);
  log('waits for CPU = share of the window the JavaScript thread was runnable but had no core (/proc/<pid>/schedstat): time other processes took');
  log(
    `saturated: service = its CPU ≥ ${SERVICE_SATURATED_CORES} core (its JavaScript runs on one thread); starved = its CPU + its wait for a core ≥ ${SERVICE_SATURATED_CORES} (never idle, other processes held the cores); machine = service + simulator + load generator ≥ ${pct(MACHINE_SATURATED_SHARE)} of ${cores} cores. CPU % are of one core`,
  );
  const last = steps.at(-1);
  if (last && Number.isFinite(last.serviceCpuMsPerRequest)) {
    const maxRps = (SERVICE_SATURATED_CORES * 1_000) / last.serviceCpuMsPerRequest;
    log(
      `projection without other load: at ${last.serviceCpuMsPerRequest.toFixed(1)} ms of service CPU per one-tool request (C=${last.concurrency}) its thread saturates near ${maxRps.toFixed(0)} rps, i.e. C ≈ ${(maxRps * (ONE_TOOL.modelCalls * options.callMs) / 1_000).toFixed(0)} at L = ${(ONE_TOOL.modelCalls * options.callMs) / 1_000} s`,
    );
  }
  const pass = below.length > 0 && short.length === 0;
  log(
    `verdict: ${pass ? 'PASS' : 'FAIL'} — efficiency ≥ ${EFFICIENCY_GOAL} on ${below.length - short.length} of ${below.length} steps below CPU saturation` +
      (short.length ? ` (short: C=${short.map((s) => s.concurrency).join(', ')}; ${starved.length} of them with the machine < ${pct(STARVED_IDLE_SHARE)} idle, i.e. other processes took the CPU)` : '') +
      (below.length === 0 ? ' (no step below saturation: nothing to judge)' : ''),
  );
  return pass;
}

interface BaselineRun extends CpuShares {
  m: RunMeasurement;
  loadAverage: string;
}

/** The baseline profile through the load runner's runOnce (the function `npm run load` runs per run), CPU per run. */
async function runBaseline(target: LoadTarget, sim: Simulator, pid: number, options: ThroughputOptions): Promise<boolean> {
  const { profile, log } = options;
  sim.setFaults({ ttftMs: profile.latency.ttftMs, tokensPerSecond: profile.latency.tokensPerSecond });
  log(`\nbaseline profile (a fresh service, ${WARMUP_SECONDS} s unmeasured warm-up at a third of the rate): ${profile.rate} req/s open loop for ${profile.durationSeconds} s × ${profile.runs} runs, mix ${JSON.stringify(profile.mix)}, model ttft ${profile.latency.ttftMs} ms + ${profile.latency.tokensPerSecond} tok/s`);
  // Unmeasured: a third of the rate for 5 s, so the fresh service's JIT and connections are warm as in production.
  await runOnce(target, { ...profile, rate: profile.rate / 3, durationSeconds: WARMUP_SECONDS }, -1);
  await sleep(profile.pauseSeconds * 1_000);
  const runs: BaselineRun[] = [];
  for (let i = 0; i < profile.runs; i++) {
    if (i > 0) await sleep(profile.pauseSeconds * 1_000);
    const before = readCpu(pid);
    const m = await runOnce(target, profile, i);
    const after = readCpu(pid);
    const cpu = cpuBetween(before, after);
    const ok = m.requests - m.errors;
    runs.push({ m, ...cpuShares(cpu, after.at - before.at, ok), loadAverage: loadAverage() });
  }
  log('| run | sent req/s | rps (2xx) | p50 ms | p95 ms | p99 ms | errors (non-2xx/timeout) | efficiency | service CPU | service ms/req | sim+loadgen CPU | machine idle | service waits for CPU | harness waits | service loop p99 ms | send lag p99 ms | load avg |');
  log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { m, ...r } of runs) {
    log(
      `| ${m.run + 1} | ${m.sentRate.toFixed(1)} | ${m.rps.toFixed(1)} | ${m.p50Ms.toFixed(0)} | ${m.p95Ms.toFixed(0)} | ${m.p99Ms.toFixed(0)} | ${m.errors} (${m.non2xx}/${m.timeouts}) | ${m.efficiency?.toFixed(3) ?? '-'} | ${pct(r.serviceCores)} | ${r.serviceCpuMsPerRequest.toFixed(1)} | ${pct(r.harnessCores)} | ${pct(r.idle)} | ${pct(r.serviceWait)} | ${pct(r.harnessWait)} | ${m.eventLoopDelayP99Ms.toFixed(0)} | ${m.sendLagP99Ms.toFixed(0)} | ${r.loadAverage} |`,
    );
  }
  const { summary, saturated } = outcomeOfRuns(runs.map((r) => r.m));
  const pass = summary.rps >= BASELINE_RPS_GOAL && summary.p95Ms <= BASELINE_P95_GOAL_MS;
  const msPerRequest = runs.map((r) => r.serviceCpuMsPerRequest).filter(Number.isFinite).sort((x, y) => x - y)[Math.floor(runs.length / 2)];
  if (msPerRequest !== undefined) {
    log(`the offered ${profile.rate} req/s at ${msPerRequest.toFixed(1)} ms of service CPU per request (median of runs) needs ${((profile.rate * msPerRequest) / 1_000).toFixed(2)} core of the service's one thread`);
  }
  log(
    `baseline: ${summary.rps.toFixed(1)} rps (goal ≥ ${BASELINE_RPS_GOAL}), p95 ${summary.p95Ms.toFixed(0)} ms (goal ≤ ${BASELINE_P95_GOAL_MS}; median of runs), errors ${(summary.errorRate * 100).toFixed(2)} %` +
      `${saturated ? ', sender saturated (cap hits or < 90 % of the schedule sent)' : ''} → ${pass ? 'PASS' : 'FAIL'}`,
  );
  return pass;
}

/**
 * Item 6 of issue 13 in one run: the concurrency steps against C / L, then the baseline profile; prints both tables
 * and verdicts, and resolves true when both goals hold.
 *
 * @example
 *   const bundle = await bundleServiceToTemp();
 *   await benchThroughput({ ...throughputOptions(new Map([['steps', '8,16']])), bundleRoot: bundle.root });
 */
export async function benchThroughput(options: ThroughputOptions): Promise<boolean> {
  const { log } = options;
  const cores = availableParallelism();
  const sim = await startLoadSimulator({ ttftMs: options.callMs, tokensPerSecond: 0 });
  try {
    let target = await startServiceTarget(sim, { entry: 'bundle', root: options.bundleRoot });
    try {
      const pid = target.pid?.();
      if (pid === undefined) throw new Error('throughput: the service process has no pid');
      log(`\nthroughput: the bundle as its own process (pid ${pid}), simulator and load generator in this process (pid ${process.pid}), ${cores} cores, load average ${loadAverage()}`);
      log(`closed loop of C one-tool requests (${ONE_TOOL.modelCalls} model calls × ${options.callMs} ms ⇒ L = ${(ONE_TOOL.modelCalls * options.callMs) / 1000} s), ${options.stepSeconds} s measured per step`);
      const steps: Step[] = [];
      for (const concurrency of options.concurrency) {
        const step = await runStep(target, sim, pid, concurrency, options, cores);
        steps.push(step);
        log(`  C=${concurrency}: ${step.rps.toFixed(1)} rps of ${step.bound.toFixed(1)} (${step.efficiency.toFixed(3)}), service ${pct(step.serviceCores)}, harness ${pct(step.harnessCores)}, idle ${pct(step.idle)}, service waited for CPU ${pct(step.serviceWait)} of the time`);
        if (step.saturated !== 'no') break;
      }
      const stepsPass = printSteps(steps, options, cores);
      // A fresh service for the baseline: what the last (saturated) step left behind — threads in memory, a breaker
      // opened by overload — must not decide the profile's numbers.
      await target.close();
      target = await startServiceTarget(sim, { entry: 'bundle', root: options.bundleRoot });
      const baselinePid = target.pid?.();
      if (baselinePid === undefined) throw new Error('throughput: the service process has no pid');
      const baselinePass = await runBaseline(target, sim, baselinePid, options);
      return stepsPass && baselinePass;
    } finally {
      await target.close();
    }
  } finally {
    await sim.close();
  }
}
