import { budgetGrader } from './budget.js';
import { containsGrader } from './contains.js';
import { equalsGrader } from './equals.js';
import { groundingGrader } from './grounding.js';
import { jsonSchemaGrader } from './json-schema.js';
import { judgeGrader } from './judge.js';
import { numericGrader } from './numeric.js';
import { regexGrader } from './regex.js';
import { safetyGrader } from './safety.js';
import { stepBudgetGrader } from './step-budget.js';
import { todosGrader } from './todos.js';
import { toolArgsGrader } from './tool-args.js';
import { toolNotUsedGrader } from './tool-not-used.js';
import { toolOrderGrader } from './tool-order.js';
import { toolUsedGrader } from './tool-used.js';
import { trajectoryGrader } from './trajectory.js';
import type { Grader } from './types.js';
import { workspaceGrader } from './workspace.js';

export const GRADER_IDS = [
  'contains',
  'regex',
  'equals',
  'json-schema',
  'numeric',
  'tool-used',
  'tool-not-used',
  'tool-args',
  'tool-order',
  'trajectory',
  'step-budget',
  'budget',
  'todos',
  'workspace',
  'safety',
  'grounding',
  'judge',
] as const;
export type GraderId = (typeof GRADER_IDS)[number];

/** Every grader, by id: a missing entry fails the build. */
export const graders = {
  contains: containsGrader,
  regex: regexGrader,
  equals: equalsGrader,
  'json-schema': jsonSchemaGrader,
  numeric: numericGrader,
  'tool-used': toolUsedGrader,
  'tool-not-used': toolNotUsedGrader,
  'tool-args': toolArgsGrader,
  'tool-order': toolOrderGrader,
  trajectory: trajectoryGrader,
  'step-budget': stepBudgetGrader,
  budget: budgetGrader,
  todos: todosGrader,
  workspace: workspaceGrader,
  safety: safetyGrader,
  grounding: groundingGrader,
  judge: judgeGrader,
} satisfies Record<GraderId, Grader>;

export function isGraderId(id: string): id is GraderId {
  return (GRADER_IDS as readonly string[]).includes(id);
}

export * from './types.js';
