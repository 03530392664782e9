import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ReportKindSchema, defaultReportPath, gitInfo, type Report, type ReportKind, type StageRun } from '../evals/report/index.js';
import { getCheck } from './checks/index.js';
import { CheckIdSchema } from './checks/types.js';
import { GATE_EXIT, decide, describeStage, stageFailed, type StageRecord } from './decide.js';
import { commitInfo, loadEvidence, type EvidenceSet } from './evidence.js';
import { readTree, writeInputs } from './inputs.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from './policy.js';
import { promote, verifyPromotion } from './promotion.js';
import { loadHistory } from './render/history.js';
import { renderJunit } from './render/junit.js';
import { writeReportPage } from './render/page.js';
import { VERDICT_ICON, renderSummaryMarkdown } from './render/summary-md.js';
import { explainPlans, planStages, type StagePlan } from './reuse.js';
import { STAGES, runGuard, runScheduled, runStage, stampStage, stageUnavailable } from './stages.js';

const log = (line: string) => process.stderr.write(`gate: ${line}\n`);
const errorText = (err: unknown) => {
  const code = typeof err === 'object' && err !== null && 'code' in err ? `[${String(err.code)}] ` : '';
  return `${code}${err instanceof Error ? err.message : String(err)}`;
};

interface GateOptions {
  policy: string;
  policyFile: string;
  run: boolean;
  reports: string;
  baselines: string;
  out?: string;
  commit: string;
  explainReuse?: boolean;
  jobs: number;
  history?: string;
}

/** `--jobs`: a whole number ≥ 1 (a usage error, exit 2, otherwise). */
function jobsOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function okReports(set: EvidenceSet): Partial<Record<ReportKind, Report>> {
  return Object.fromEntries(Object.values(set).flatMap((e) => (e?.status === 'ok' && e.report ? [[e.kind, e.report]] : [])));
}

/** The harness settings the gate commands read, parsed once by bin/ (the gate never reads the environment or the agent's config). */
export interface GateSettings {
  /** Ed25519 private key (PKCS#8 PEM) for `promote` when --key is not given. */
  readonly signingKey?: string;
  /** A file the summary is appended to ($GITHUB_STEP_SUMMARY on GitHub Actions). */
  readonly stepSummaryFile?: string;
  /** The model under test without credentials, a stage input of the eval (simulated unless one is configured). */
  modelUnderTest(): unknown;
}

const NO_SETTINGS: GateSettings = { modelUnderTest: () => null };

/** Runs one stage whose evidence does not stand, converts and stamps its report (with the hash of its inputs). */
async function runPlanned(plan: StagePlan, step: string, reportsDir: string, subcommands: ReadonlySet<string>): Promise<StageRecord> {
  const { stage } = plan;
  const why = await stageUnavailable(stage, subcommands);
  if (why) {
    log(`${step}: NOT AVAILABLE YET: ${why}; its checks will be inconclusive`);
    return { kind: stage.kind, status: 'unavailable', note: why, inputs: plan.inputs.sha256 };
  }
  log(`${step}: ${plan.why}${plan.changed ? ` (changed: ${plan.changed.slice(0, 5).join(', ')}${plan.changed.length > 5 ? ', …' : ''})` : ''}; running npm run ${stage.script} (limit ${Math.round(stage.timeoutMs / 60_000)} min)…`);
  // The evidence is about the tree the run started on, even if HEAD moves while it runs.
  const git = await gitInfo();
  const started = Date.now();
  const run: StageRun = { ...(await runStage(stage, reportsDir)), inputs: plan.inputs.sha256 };
  log(`${step}: ${describeStage(run)}`);
  if (stage.convert) {
    try {
      await stage.convert(reportsDir, git);
      log(`${step}: wrote its report`);
    } catch (err) {
      log(`${step}: could not write its report: ${errorText(err)}`);
    }
  }
  const reportPath = defaultReportPath(stage.kind, reportsDir);
  const wroteReport = await stampStage(reportPath, run, started);
  if (wroteReport) await writeInputs(reportPath, plan.inputs);
  if (stageFailed(run)) log(`${step}: its checks cannot pass${wroteReport ? '' : ' (and it left no report of this run)'}`);
  return { kind: stage.kind, status: 'ran', run, wroteReport, durationMs: Date.now() - started, inputs: plan.inputs.sha256 };
}

/** Evidence that stands: kept as is, or reused with the stage's guard run (tests of what its inputs leave out). */
async function keepPlanned(plan: StagePlan, step: string, reportsDir: string, evidence: EvidenceSet): Promise<StageRecord> {
  const { stage } = plan;
  const started = Date.now();
  const original = evidence[stage.kind]?.report?.stage;
  const base = { kind: stage.kind, ...(original ? { run: original } : {}), inputs: plan.inputs.sha256 };
  if (plan.action === 'keep') {
    log(`${step}: ${plan.why}, not re-run`);
    return { ...base, status: 'fresh', note: plan.why, durationMs: Date.now() - started };
  }
  log(`${step}: ${plan.why}, not re-run`);
  let guard: StageRun | undefined;
  if (stage.guard) {
    guard = await runGuard({ ...stage, guard: stage.guard }, reportsDir);
    log(`${step}: guard ${describeStage(guard)}`);
  }
  return { ...base, status: 'reused', reused: plan.reused!, ...(guard ? { guard } : {}), note: plan.why, durationMs: Date.now() - started };
}

async function gate(opts: GateOptions, subcommands: ReadonlySet<string>, settings: GateSettings): Promise<number> {
  const policy = await loadPolicy(opts.policy, opts.policyFile);
  const commit = await commitInfo(opts.commit);
  const kinds = new Set(Object.keys(policy.policy.checks).map((id) => getCheck(CheckIdSchema.parse(id)).kind));
  log(`policy ${policy.name} (${relative(process.cwd(), policy.file)}), commit ${commit.sha.slice(0, 12)}, reports ${opts.reports}`);

  const stages = STAGES.filter((s) => kinds.has(s.kind));
  const tree = await readTree();
  const plans = await planStages(stages, { reportsDir: opts.reports, evidence: await loadEvidence(opts.reports), policy, commit, tree, model: settings.modelUnderTest() });
  if (opts.explainReuse) {
    process.stdout.write(`${explainPlans(plans)}
`);
    return 0;
  }
  const inputs = Object.fromEntries(plans.map((p) => [p.stage.kind, p.inputs.sha256]));

  const stageRecords: StageRecord[] = [];
  if (opts.run) {
    const evidence = await loadEvidence(opts.reports);
    const step = (p: StagePlan) => `[${stages.indexOf(p.stage) + 1}/${stages.length}] ${p.stage.kind} (${p.stage.title})`;
    const records = await runScheduled(plans, opts.jobs, (p) => (p.action === 'run' ? runPlanned(p, step(p), opts.reports, subcommands) : keepPlanned(p, step(p), opts.reports, evidence)));
    stageRecords.push(...records);
  } else {
    log('--no-run: deciding on the reports as they are');
  }

  const reports = await loadEvidence(opts.reports);
  const baselines = await loadEvidence(opts.baselines);
  const history = opts.history ? (await loadHistory(opts.history)).entries : [];
  const decision = decide(reports, baselines, { ...policy, file: relative(process.cwd(), policy.file) || policy.file }, { commit, now: new Date().toISOString(), stages: stageRecords, inputs, history });
  const out = opts.out ?? join(opts.reports, 'gate');
  await mkdir(out, { recursive: true });
  const summary = renderSummaryMarkdown(decision);
  const thresholds = Object.fromEntries(Object.entries(policy.policy.checks).map(([id, c]) => [id, c?.threshold?.value]));
  await Promise.all([
    writeFile(join(out, 'decision.json'), `${JSON.stringify(decision, null, 2)}\n`),
    writeFile(join(out, 'summary.md'), summary),
    writeFile(join(out, 'junit.xml'), renderJunit(decision)),
    writeReportPage({ decision, reports: okReports(reports), baselines: okReports(baselines), thresholds, outDir: out, historyDir: opts.history }),
  ]);
  if (settings.stepSummaryFile) await appendFile(settings.stepSummaryFile, `${summary}\n`);
  process.stdout.write(`${summary}\n`);
  const missing = ReportKindSchema.options.filter((k) => kinds.has(k) && reports[k]?.status !== 'ok');
  if (missing.length) log(`no usable ${missing.join(', ')} evidence in ${opts.reports}`);
  log(`${VERDICT_ICON[decision.verdict]} ${decision.verdict.toUpperCase()} → exit ${decision.exitCode}; wrote ${join(out, 'decision.json')}, summary.md, junit.xml, report.html`);
  return decision.exitCode;
}

/** `luminamind gate`: exit 0 promote (pass/warn), 1 block (fail), 2 inconclusive (missing/stale evidence) or misconfigured. */
export function registerGateCommand(program: Command, settings: GateSettings = NO_SETTINGS): void {
  program
    .command('gate')
    .description(
      'Release gate: runs the stages whose evidence is missing or stale (evidence of an earlier commit with the same inputs is reused when the policy allows), then decides. Exit 0 promote, 1 block, 2 missing evidence or misconfigured.',
    )
    .option('--policy <name>', 'policy in the policy file: pr | release', 'pr')
    .option('--policy-file <file>', 'policy file', relative(process.cwd(), DEFAULT_POLICY_FILE))
    .option('--no-run', 'only decide; run no stage')
    .option('--reports <dir>', 'directory with <kind>/report.json evidence', 'reports')
    .option('--baselines <dir>', 'directory with <kind>/report.json baselines (e.g. from the main branch)', 'reports/baselines')
    .option('--commit <ref>', 'the commit the evidence must be about', 'HEAD')
    .option('--out <dir>', 'where decision.json, summary.md, junit.xml and report.html go (default <reports>/gate)')
    .option('--history <dir>', 'earlier decision.json files (any depth): report.html shows verdict and score per commit, and checks with a relative criterion compare with the accepted ones')
    .option('--explain-reuse', 'list for each stage whether it will run or its evidence stands, and why (changed inputs); runs nothing')
    .option('--jobs <n>', 'stages that may run side by side: the tests, the security scan and the eval together, then load beside chaos (they measure time, so they never run beside a CPU-bound stage)', jobsOption, 3)
    .addHelpText(
      'after',
      `
Examples:
  npm run gate                                   # run missing stages, decide with the pr policy
  luminamind gate --explain-reuse                # which stages will run, which evidence is reused, and why
  luminamind gate --policy release --no-run      # decide on existing reports only
  luminamind gate --no-run --reports ci-reports --baselines main-reports
  luminamind gate --no-run --history ci-history   # report.html adds verdict and score per earlier commit`,
    )
    .action(async (opts: GateOptions) => {
      try {
        process.exitCode = await gate(opts, new Set(program.commands.map((c) => c.name())), settings);
      } catch (err) {
        log(`misconfigured: ${errorText(err)}`);
        process.exitCode = GATE_EXIT.inconclusive;
      }
    });
}

/** `luminamind promote`: signs a promotion record for a promotable decision; exit 1 when refused, 2 on a key or usage problem. */
export function registerPromoteCommand(program: Command, settings: GateSettings = NO_SETTINGS): void {
  program
    .command('promote')
    .description('Sign a promotion record (Ed25519) for a decision that promotes; refuses a blocked or inconclusive one.')
    .option('--key <file>', 'Ed25519 private key, PKCS#8 PEM (default: $LUMINAMIND_SIGNING_KEY)')
    .option('--decision <file>', 'gate decision', 'reports/gate/decision.json')
    .option('--out <file>', 'promotion record to write', 'reports/gate/promotion.json')
    .option('--approved-by <name>', 'the human approving this promotion, signed into the record (required when the policy sets approval.required, as release does)')
    .addHelpText('after', '\nExamples:\n  openssl genpkey -algorithm ed25519 -out key.pem && luminamind promote --key key.pem\n  luminamind promote --key key.pem --approved-by "Dana (release manager)"   # release policy')
    .action(async (opts: { key?: string; decision: string; out: string; approvedBy?: string }) => {
      try {
        const keyPem = opts.key ? await readFile(opts.key, 'utf8') : settings.signingKey;
        if (!keyPem) {
          process.stderr.write('promote: no signing key: pass --key KEY.pem or set LUMINAMIND_SIGNING_KEY\n');
          process.exitCode = 2;
          return;
        }
        const record = await promote({ decisionPath: opts.decision, keyPem, out: opts.out, approvedBy: opts.approvedBy });
        process.stdout.write(`promoted ${record.commit} (${record.verdict})${record.approval ? `, approved by ${record.approval.by}` : ''}; ${record.files.length} files hashed; record ${opts.out}\n`);
        process.exitCode = 0;
      } catch (err) {
        const refused = typeof err === 'object' && err !== null && 'code' in err && err.code === 'GATE_ERR_PROMOTION_REFUSED';
        process.stderr.write(`promote: ${errorText(err)}\n`);
        process.exitCode = refused ? 1 : 2;
      }
    });
}

/** `luminamind verify`: exit 0 when the record's signature and every file it names are intact, 1 otherwise, 2 on usage. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Verify a promotion record: its Ed25519 signature and the sha256 of every evidence file, the decision and the policy.')
    .requiredOption('--pubkey <file>', 'Ed25519 public key, PEM (SPKI)')
    .option('--record <file>', 'promotion record', 'reports/gate/promotion.json')
    .addHelpText('after', '\nExample:\n  openssl pkey -in key.pem -pubout -out pub.pem && luminamind verify --pubkey pub.pem')
    .action(async (opts: { pubkey: string; record: string }) => {
      try {
        const result = await verifyPromotion({ recordPath: opts.record, publicKeyPem: await readFile(opts.pubkey, 'utf8') });
        if (result.ok) {
          process.stdout.write(`verified: ${opts.record} for commit ${result.record?.commit} (${result.record?.files.length} files intact)\n`);
          process.exitCode = 0;
        } else {
          process.stderr.write(`verify: FAILED for ${opts.record}:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        process.stderr.write(`verify: ${errorText(err)}\n`);
        process.exitCode = 2;
      }
    });
}
