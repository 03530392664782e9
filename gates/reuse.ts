import { defaultReportPath } from '../evals/report/index.js';
import { assessEvidence, stageFailed, describeStage } from './decide.js';
import type { CommitInfo, EvidenceSet } from './evidence.js';
import { changedInputs, readInputs, stageInputs, type StageInputs, type Tree } from './inputs.js';
import type { LoadedPolicy } from './policy.js';
import type { Stage } from './stages.js';

/** What the gate will do with one stage, and why: the answer `luminamind gate --explain-reuse` prints. */
export interface StagePlan {
  stage: Stage;
  inputs: StageInputs;
  /** keep: fresh evidence of this commit; reuse: evidence of an earlier commit with the same inputs; run: neither. */
  action: 'keep' | 'reuse' | 'run';
  why: string;
  reused?: { fromSha: string; reason: string };
  /** For `run` over evidence that recorded its inputs: what changed since (paths, and `(extra)` facts), when known. */
  changed?: string[];
}

/** The non-file facts a stage's result depends on besides the tree: Node, the platform, its own options, the model under test. */
export function stageExtras(stage: Stage, reportsDir: string, model: unknown): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, stage: { script: stage.script, args: stage.args(reportsDir) }, model };
}

/**
 * Decides per stage whether its evidence stands (kept or reused) or the stage must run, from the evidence on disk and
 * the inputs hashed from `tree`. Pure but for reading the stored input lists of evidence that will not be reused.
 */
export async function planStages(
  stages: readonly Stage[],
  ctx: { reportsDir: string; evidence: EvidenceSet; policy: LoadedPolicy; commit: CommitInfo; tree: Tree; model: unknown },
): Promise<StagePlan[]> {
  return Promise.all(
    stages.map(async (stage): Promise<StagePlan> => {
      const inputs = stageInputs(ctx.tree, stage.irrelevant, stageExtras(stage, ctx.reportsDir, ctx.model));
      const current = assessEvidence(ctx.evidence[stage.kind], stage.kind, ctx.policy, ctx.commit, inputs.sha256);
      if (current.status === 'fresh' && !stageFailed(current.stage)) {
        if (current.reused) return { stage, inputs, action: 'reuse', why: `reused from ${current.reused.fromSha.slice(0, 7)}: ${current.reused.reason}`, reused: current.reused };
        return { stage, inputs, action: 'keep', why: `fresh evidence of this commit at ${current.path}` };
      }
      const why = current.status === 'fresh' ? `its last run failed (${describeStage(current.stage!)})` : `evidence ${current.status}: ${current.reasons.join('; ')}`;
      const recorded = current.stage?.inputs;
      const before = recorded && recorded !== inputs.sha256 ? await readInputs(defaultReportPath(stage.kind, ctx.reportsDir), recorded) : null;
      return { stage, inputs, action: 'run', why, ...(before ? { changed: changedInputs(before, inputs) } : {}) };
    }),
  );
}

/** One line per stage: `coverage  run     evidence stale: …; changed: agent/src/a.ts, … (+3 more)`. */
export function explainPlans(plans: readonly StagePlan[], sample = 8): string {
  return plans
    .map((p) => {
      const changed = p.changed ? `; ${p.changed.length} input(s) changed: ${p.changed.slice(0, sample).join(', ')}${p.changed.length > sample ? `, … (+${p.changed.length - sample} more)` : ''}` : '';
      const guard = p.action === 'reuse' && p.stage.guard ? `; its guard runs: ${p.stage.guard.command}` : '';
      return `${p.stage.kind.padEnd(9)} ${p.action.padEnd(6)} ${p.why}${changed}${guard} [inputs ${p.inputs.sha256.slice(0, 12)}, ${Object.keys(p.inputs.files).length} files]`;
    })
    .join('\n');
}
