import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Trajectory } from './graders/index.js';
import type { EvalResult, ResultIdentity } from './report/index.js';

// Each result's trajectory (answer, every tool call with its arguments and output, todos, usage) is written beside
// the report, one file per result, so a summary can link the run behind a verdict.

/** The file of a result's trajectory, relative to the report's directory. */
export function trajectoryFile(r: ResultIdentity): string {
  return join('trajectories', `${r.caseId}.${r.variant.replace(/[^\w.-]/g, '-')}.${r.repeat}.json`);
}

export async function writeTrajectory(dir: string, result: EvalResult, trajectory: Trajectory | undefined): Promise<void> {
  const path = join(dir, trajectoryFile(result));
  await mkdir(join(dir, 'trajectories'), { recursive: true });
  const { workspaceRoot: _w, ...t } = trajectory ?? ({} as Partial<Trajectory>);
  await writeFile(path, `${JSON.stringify({ result, trajectory: trajectory ? t : null }, null, 2)}\n`);
}
