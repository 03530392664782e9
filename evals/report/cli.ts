import { type Command, InvalidArgumentError } from 'commander';
import { ReportKindSchema, type Report, type ReportKind } from './envelope.js';
import { mergeReportFiles } from './merge.js';

/** Exit codes (bin/cli.ts EXIT): a refused or unreadable input is a usage problem, not a verdict. */
const EXIT_USAGE = 2;

function describe(report: Report): string {
  const s = report.summary as Record<string, unknown>;
  if (report.kind === 'eval') return `${report.summary.runs} run(s) over ${report.summary.cases} case(s), pass rate ${(report.summary.passRate * 100).toFixed(1)} %`;
  if (report.kind === 'load') return `${report.summary.runs} run(s), ${report.summary.rps.toFixed(1)} req/s, p95 ${report.summary.p95Ms} ms, vs baseline: ${report.summary.comparison?.verdict ?? 'not compared'}`;
  if (report.kind === 'chaos') return `${report.summary.passed}/${report.summary.drills} drill(s) held`;
  return JSON.stringify(s);
}

export function registerReportCommand(program: Command): void {
  const cmd = program.command('report').description('Work with report envelopes (reports/<kind>/report.json).');
  cmd
    .command('merge <out> <inputs...>')
    .description('Merge the reports of one sharded run (eval, load or chaos) into OUT; the summary is recomputed from the merged results.')
    .option('--kind <kind>', 'insist that every input is of this kind', (v): ReportKind => {
      const parsed = ReportKindSchema.safeParse(v);
      if (!parsed.success) throw new InvalidArgumentError(`expected one of ${ReportKindSchema.options.join(', ')}`);
      return parsed.data;
    })
    .addHelpText(
      'after',
      `
Refused (exit 2, EVL_ERR_REPORT_MERGE_REFUSED): different kinds, commits, modes, models or run-defining config
keys, or overlapping results (eval case × variant × repeat, load run × shard, chaos drill).

Example:
  luminamind report merge reports/eval/report.json shard-1/report.json shard-2/report.json --kind eval`,
    )
    .action(async (out: string, inputs: string[], opts: { kind?: ReportKind }) => {
      try {
        const { path, report } = await mergeReportFiles(out, inputs, { kind: opts.kind });
        process.stderr.write(`report merge: ${inputs.length} ${report.kind} report(s) → ${describe(report)}\n`);
        process.stdout.write(`${path}\n`);
        process.exitCode = 0;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string' || !code.startsWith('EVL_ERR_REPORT_')) throw err;
        process.stderr.write(`luminamind: [${code}] ${(err as Error).message}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}
