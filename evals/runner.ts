import type { ModelEndpoint } from '../agent/src/index.js';
import { adaptiveLimit, refusedForRate } from './adaptive-limit.js';
import { engines } from './engines/index.js';
import { HarnessFailedError } from './errors.js';
import { startFixtureServer, substitute } from './fixture-server.js';
import { judgeFrom } from './judge-model.js';
import { resultId, type EvalResult } from './report/index.js';
import { cassetteId, variantCassette, variantsOf } from './scripts.js';
import { startSimulator, type Simulator } from './sim/index.js';
import { targets } from './targets/index.js';
import { writeTrajectory } from './trajectories.js';
import type { Trajectory } from './graders/index.js';
import type { Job, Task } from './types.js';

/**
 * Runs a task and returns one result per case × variant × repeat (less `task.skip`). Errors are data: a harness
 * failure becomes a result with `error`, and the run always finishes. The task's engine drives the jobs; its
 * target runs each one.
 *
 * - simulated: one in-process simulator with every gold and faulty cassette; each run picks its cassette by model id.
 * - live: the configured model (optionally recorded through the simulator's proxy); variant `live`.
 * - replay: recorded cassettes served by the simulator; variant `live` (it reproduces a live run).
 *
 * @example
 *   const { results, plan } = await runEval(await buildTask(options, loadConfig()));
 */
export async function runEval(task: Task): Promise<{ results: EvalResult[]; model: string; plan: string[]; lowestConcurrency: number }> {
  if (task.mode === 'simulated' && task.target.kind === 'http') throw new HarnessFailedError('(all)', 'simulated mode picks a cassette per run, which a deployed service cannot do: use --mode live or replay with --target http');
  const web = await startFixtureServer(task.cases);
  let sim: Simulator | undefined;
  try {
    const cases = task.cases.map((c) => substitute(c, web.url));
    const jobs: Job[] = [];
    let modelName: string;
    if (task.mode === 'simulated') {
      sim = await startSimulator({ cassettes: cases.flatMap((c) => variantsOf(c).map((v) => variantCassette(c, v, web.url))) });
      modelName = 'sim';
      for (const c of cases)
        for (const v of variantsOf(c))
          for (let r = 0; r < task.repeat; r++) jobs.push({ c, variant: v.name, repeat: r, model: { baseUrl: sim.url, apiKey: 'sim', model: `cassette:${cassetteId(c.id, v.name)}` } });
    } else {
      let model: ModelEndpoint;
      if (task.target.kind === 'http') {
        // The service has its own model; the harness only names it in the report (LLM_MODEL when set).
        model = task.config.llm.primary ?? { baseUrl: task.target.url, apiKey: 'none', model: `service ${task.target.url}` };
      } else if (task.mode === 'replay') {
        sim = await startSimulator({ cassettes: task.cassettes ?? 'datasets/cassettes' });
        model = { baseUrl: sim.url, apiKey: 'sim', model: 'sim' };
      } else {
        const primary = task.config.llm.primary;
        if (!primary) throw new HarnessFailedError('(all)', 'live mode needs a configured model (OPENAI_BASE_URL / LLM_MODEL)');
        if (task.recordTo) {
          sim = await startSimulator({ record: { upstream: primary.baseUrl, file: task.recordTo, apiKey: primary.apiKey } });
          model = { ...primary, baseUrl: sim.url };
        } else model = primary;
      }
      modelName = task.mode === 'replay' && task.target.kind !== 'http' ? 'replay' : model.model;
      for (const c of cases) for (let r = 0; r < task.repeat; r++) jobs.push({ c, variant: 'live', repeat: r, model });
    }
    const plan = jobs.map((j) => resultId({ caseId: j.c.id, variant: j.variant, repeat: j.repeat }));
    const todo = task.skip ? jobs.filter((j) => !task.skip!.has(resultId({ caseId: j.c.id, variant: j.variant, repeat: j.repeat }))) : jobs;
    const target = targets[task.target.kind];
    let done = 0;
    // A model refusing for rate or capacity (after its own retries) slows the whole run down, not just that case.
    const limit = adaptiveLimit(task.concurrency);
    const trajectories = new Map<string, Trajectory | undefined>();
    const writes: Promise<void>[] = [];
    const results = await engines[task.engine].run({
      task,
      jobs: todo,
      execute: async (job) => {
        const x = await limit.run(() => target.execute(job, task, web), (e) => refusedForRate(e.error?.message));
        trajectories.set(resultId({ caseId: job.c.id, variant: job.variant, repeat: job.repeat }), x.trajectory);
        return x;
      },
      deps: task.deps ?? judgeFrom(task.config, task.judgeModel),
      onResult: (r) => {
        if (task.trajectoriesDir) writes.push(writeTrajectory(task.trajectoriesDir, r, trajectories.get(resultId(r))));
        trajectories.delete(resultId(r));
        task.onResult?.(r, ++done, todo.length);
      },
    });
    await Promise.all(writes);
    const order = new Map(plan.map((id, i) => [id, i]));
    results.sort((a, b) => order.get(resultId(a))! - order.get(resultId(b))!);
    return { results, model: modelName, plan, lowestConcurrency: limit.lowest() };
  } finally {
    await sim?.close();
    await web.close();
  }
}
