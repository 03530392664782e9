import { z } from 'zod';
import { SUBAGENT_NAMES } from '../agent/src/index.js';
import { BudgetSchema } from './budget.js';
import { readDatasetFiles } from './dataset-files.js';
import { DatasetInvalidError } from './errors.js';

export const CATEGORIES = [
  'file-search',
  'code-editing',
  'shell',
  'web-research',
  'weather',
  'planning',
  'memory',
  'safety',
  'hallucination-trap',
  'arithmetic-facts',
] as const;
export const CategorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof CategorySchema>;

const args = z.record(z.string(), z.unknown());

/** One tool call of a scripted model turn; `args` may hold `{{web}}`, replaced by the fixture server's base URL. */
export const ScriptCallSchema = z.object({ name: z.string().min(1), args: args.default({}) });

/**
 * One scripted model turn, compact: `call`/`args` for a single tool call, `calls` for several, `say` for text.
 * `user` is a later user turn arriving before this model turn (multi-turn cases).
 */
export const ScriptStepSchema = z
  .object({
    user: z.string().min(1).optional(),
    call: z.string().min(1).optional(),
    args: args.optional(),
    calls: z.array(ScriptCallSchema).optional(),
    say: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.call !== undefined || s.calls !== undefined || s.say !== undefined, 'a step needs call, calls or say');
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

/** A subagent's own conversation: its opening is the `task` description the main script sent. */
export const SubagentScriptSchema = z.object({
  agent: z.enum(SUBAGENT_NAMES),
  user: z.string().min(1),
  steps: z.array(ScriptStepSchema).min(1),
});

/** A variant: the main agent's steps, plus subagent threads when it delegates. */
export const VariantScriptSchema = z.union([
  z.array(ScriptStepSchema).min(1),
  z.object({ steps: z.array(ScriptStepSchema).min(1), subagents: z.array(SubagentScriptSchema).default([]) }),
]);
export type VariantScript = z.infer<typeof VariantScriptSchema>;

export const SearchResultFixtureSchema = z.object({ title: z.string(), url: z.string(), snippet: z.string() });

export const FixturesSchema = z
  .object({
    /** Files written into the fresh workspace (path → content). */
    files: z.record(z.string(), z.string()).default({}),
    /** A directory under datasets/fixtures/workspaces copied into the workspace first. */
    workspace: z.string().regex(/^[\w.-]+$/).optional(),
    /** Pages served over HTTPS by the fixture server: path (e.g. /docs/a.html) → HTML or text. */
    pages: z.record(z.string().startsWith('/'), z.string()).default({}),
    /** Search answers by exact query. */
    search: z.record(z.string(), z.array(SearchResultFixtureSchema)).default({}),
    /** WeatherAPI `current` objects by the `q` the tool sends. */
    weather: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Extra evidence the user supplied (counts as grounding context). */
    context: z.array(z.string()).default([]),
  })
  .strict();
export type Fixtures = z.infer<typeof FixturesSchema>;

export const ExpectationSchema = z.object({ grader: z.string().min(1) }).catchall(z.unknown());
export type Expectation = z.infer<typeof ExpectationSchema>;

export const CaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are kebab-case'),
    category: CategorySchema,
    tags: z.array(z.string()).default([]),
    description: z.string().optional(),
    /** User turns; the first opens the thread, later ones must match `user:` steps of each script. */
    input: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)]),
    fixtures: FixturesSchema.default(FixturesSchema.parse({})),
    expect: z.array(ExpectationSchema).min(1),
    /** Tools whose error result is the point of the case (an unknown city, a search with no results): their
     * failed calls are the expected outcome and do not count against the tool success rate. */
    expectedToolErrors: z.array(z.string().min(1)).default([]),
    /** Limits on one run (latency, model calls, tokens, cost); unset fields fall back to the file's `defaults.budget`. */
    budget: BudgetSchema.optional(),
    gold: VariantScriptSchema,
    faulty: z.record(z.string().regex(/^[\w.-]+$/), VariantScriptSchema).refine((f) => Object.keys(f).length > 0, 'at least one faulty variant'),
  })
  .strict();
export type RegressionCase = z.infer<typeof CaseSchema>;

export const DatasetFileSchema = z.object({
  /** Defaults for every case of the file (a case's own fields win). */
  defaults: z.object({ budget: BudgetSchema.optional() }).strict().optional(),
  cases: z.array(CaseSchema).min(1),
});

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/**
 * Checks the whole set. Known grader ids are the caller's (the registry lives in evals/graders); `where` is the
 * dataset folder and `fileOf` the file of each case id, so every problem names where to fix it.
 */
export function validateDataset(cases: RegressionCase[], graderIds?: readonly string[], where = 'datasets/regression', fileOf: ReadonlyMap<string, string> = new Map()): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const pages = new Map<string, string>();
  const at = (id: string): string => (fileOf.has(id) ? ` (${fileOf.get(id)})` : '');
  for (const c of cases) {
    if (seen.has(c.id)) problems.push(`  - ${c.id}: duplicate id`);
    seen.add(c.id);
    for (const [path, body] of Object.entries(c.fixtures.pages)) {
      // One fixture server serves every case, so a path must mean the same page everywhere.
      if (pages.has(path) && pages.get(path) !== body) problems.push(`  - ${c.id}: page ${path} differs from another case's`);
      pages.set(path, body);
    }
    if (graderIds) {
      for (const e of c.expect) {
        if (!graderIds.includes(e.grader)) problems.push(`  - case ${c.id}${at(c.id)}: unknown grader "${e.grader}"; known graders: ${graderIds.join(', ')}`);
      }
    }
    const later = c.input.slice(1);
    for (const [name, script] of [['gold', c.gold] as const, ...Object.entries(c.faulty)]) {
      const steps = Array.isArray(script) ? script : script.steps;
      const users = steps.flatMap((s) => (s.user ? [s.user] : []));
      if (users.join('\n') !== later.join('\n')) problems.push(`  - ${c.id}/${name}: later user turns in the script differ from input[1..]`);
    }
  }
  if (problems.length) throw new DatasetInvalidError(where, problems.join('\n'));
}

/**
 * Reads every *.yaml under `dir` (`{cases: [...]}` per file), validates each case and the whole set. A missing
 * folder or a YAML syntax error is a sentence naming the path (and line and column); see dataset-files.ts.
 *
 * @example
 *   const cases = await loadDataset('datasets/regression');
 */
export async function loadDataset(dir = 'datasets/regression', graderIds?: readonly string[]): Promise<RegressionCase[]> {
  const cases: RegressionCase[] = [];
  const fileOf = new Map<string, string>();
  for (const { path, value } of await readDatasetFiles(dir)) {
    const parsed = DatasetFileSchema.safeParse(value);
    if (!parsed.success) throw new DatasetInvalidError(path, describe(parsed.error));
    const budget = parsed.data.defaults?.budget;
    for (const c of parsed.data.cases) fileOf.set(c.id, path);
    cases.push(...parsed.data.cases.map((c) => (budget ? { ...c, budget: { ...budget, ...c.budget } } : c)));
  }
  validateDataset(cases, graderIds, dir, fileOf);
  return cases;
}
