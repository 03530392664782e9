import { type Command, InvalidArgumentError } from 'commander';
import { defaultReportPath, formatShard, shardOption, shardSlice, summariseChaos, writeReport, type ChaosResult, type Shard } from '../evals/report/index.js';
import { bundleServiceToTemp, type TempServiceBundle } from '../load/index.js';
import { DRILL_IDS, drills, isDrillId, runDrill, startAlertLab, type AlertLab, type DrillId } from './drills/index.js';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 20) throw new InvalidArgumentError('expected a number in (0, 20]');
  return n;
}

/**
 * The drills one invocation runs: the named ones (default all, in DRILL_IDS order), then with `--shard i/n`
 * every n-th from the i-th, so the n shards of a CI matrix run each drill exactly once.
 *
 * @example
 *   selectDrills([], { index: 1, count: 2 }); // ['redis-kill', 'model-503', 'replica-kill']
 */
export function selectDrills(names: readonly string[], shard?: Shard): DrillId[] {
  const unknown = names.filter((n) => !isDrillId(n));
  if (unknown.length) throw new InvalidArgumentError(`unknown drill(s) ${unknown.join(', ')}; known: ${DRILL_IDS.join(', ')}`);
  return shardSlice(names.length ? (names as DrillId[]) : [...DRILL_IDS], shard);
}

/** Commander's parser for each drill name: an unknown one is a usage error naming it and every known drill (exit 2). */
export function drillName(value: string, previous: string[] | undefined): string[] {
  if (!isDrillId(value)) throw new InvalidArgumentError(`unknown drill "${value}"; known drills: ${DRILL_IDS.join(', ')}`);
  return [...(previous ?? []), value];
}

interface ChaosCliOptions {
  out?: string;
  journalDir: string;
  rate?: number;
  shard?: Shard;
  prometheus: boolean;
  entry: 'bundle' | 'source';
  parallel: number;
}

function parallelOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new InvalidArgumentError('expected a whole number from 1 to 8');
  return n;
}

function entryOption(value: string): 'bundle' | 'source' {
  if (value !== 'bundle' && value !== 'source') throw new InvalidArgumentError('expected bundle or source');
  return value;
}

export function registerChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description('Run local chaos drills (real faults on 127.0.0.1) against a steady-state hypothesis; write reports/chaos/report.json and one journal per drill')
    .argument('[drill...]', `drills to run (default all): ${DRILL_IDS.join(', ')}`, drillName)
    .option('--out <path>', 'report path (default reports/chaos/report.json)')
    .option('--journal-dir <dir>', 'where <drill>.json journals go', 'reports/chaos/journal')
    .option('--rate <rps>', 'steady load per drill in requests/s (default 4)', positive)
    .option('--shard <i/n>', 'run only every n-th of the selected drills from the i-th (merge the reports with `luminamind report merge`)', shardOption)
    .option('--entry <bundle|source>', 'what the service processes run: a bundle built from the current sources at the start of the run (default), or the sources through tsx', entryOption, 'bundle')
    .option('--parallel <n>', 'drills run side by side, each lane with its own Prometheus (default 4): a drill waits far more than it computes (~4 s of CPU in ~20 s), and every drill has its own processes and ports', parallelOption, 4)
    .option('--no-prometheus', 'skip the alert check (by default a private Prometheus on 127.0.0.1 evaluates deploy/monitoring rules when `prometheus` is installed)')
    .addHelpText('after', '\nExit: 0 every hypothesis held, 1 one was violated, 2 usage.\nExample: luminamind chaos model-503 redis-kill')
    .action(async (names: string[] | undefined, opts: ChaosCliOptions) => {
      const selected = selectDrills(names ?? [], opts.shard);
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const started = Date.now();
      const results: ChaosResult[] = [];
      const alerts = new Map<string, string>();
      // Built here, from the sources as they are now, into a folder of this run's own: never a stale dist/.
      let bundle: TempServiceBundle | undefined;
      if (opts.entry === 'bundle') {
        bundle = await bundleServiceToTemp();
        progress(`service bundle built from the current sources in ${(bundle.buildMs / 1000).toFixed(1)} s: ${bundle.entryFile}`);
      }
      const service = bundle ? { entry: 'bundle' as const, root: bundle.root } : { entry: 'source' as const };
      // Lanes run side by side; each has one Prometheus that its drills share one after another (a shared Prometheus
      // judges one drill at a time: it waits until exactly that drill's services are its targets).
      const slots: (ChaosResult | undefined)[] = selected.map(() => undefined);
      const queue = selected.map((id, index) => ({ id, index }));
      const lane = async () => {
        const alertLab = startAlertLab({ enabled: opts.prometheus });
        try {
          for (let next = queue.shift(); next; next = queue.shift()) slots[next.index] = await runOne(next.id, alertLab);
        } finally {
          await alertLab.close();
        }
      };
      const runOne = async (id: DrillId, alertLab: AlertLab): Promise<ChaosResult> => {
        try {
          const { result, journal } = await runDrill(drills[id], { rate: opts.rate, journalDir: opts.journalDir, prometheus: opts.prometheus, alerts: alertLab, service, onProgress: progress });
          alerts.set(id, `${journal.alert.alert} ${journal.alert.status === 'not-checked' ? 'not checked' : journal.alert.status}`);
          return result;
        } catch (err) {
          // The harness broke (not the service): recorded as a failed drill with the error, and the run goes on.
          const message = err instanceof Error ? err.message : String(err);
          progress(`drill ${id}: harness error: ${message}`);
          const empty = { held: false, detail: 'not measured' };
          return { drill: id, verdict: 'fail', before: empty, during: empty, after: empty, recoverySeconds: null, error: { message: message.slice(0, 2000) || 'unknown error' } };
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(opts.parallel, selected.length) }, lane));
      } finally {
        await bundle?.close();
      }
      results.push(...slots.filter((r): r is ChaosResult => r !== undefined));
      const summary = summariseChaos(results);
      const passed = summary.passed;
      const { path } = await writeReport(
        'chaos',
        {
          mode: 'simulated',
          model: 'sim',
          config: { drills: selected, shard: opts.shard ? formatShard(opts.shard) : null, rate: opts.rate ?? 4, parallel: opts.parallel, prometheus: opts.prometheus, entry: opts.entry, journalDir: opts.journalDir, wallSeconds: Math.round((Date.now() - started) / 1000) },
          summary,
          results,
        },
        opts.out ?? defaultReportPath('chaos'),
      );
      for (const r of results) progress(`${r.verdict === 'pass' ? 'PASS' : 'FAIL'} ${r.drill}: recovery ${r.recoverySeconds ?? '—'} s, alert ${alerts.get(r.drill) ?? '—'}`);
      progress(`chaos: ${passed}/${results.length} drills held their hypothesis in ${Math.round((Date.now() - started) / 1000)} s`);
      process.stdout.write(`${path}\n`);
      if (passed < results.length) process.exitCode = 1;
    });
}
