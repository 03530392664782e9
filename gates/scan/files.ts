import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Top-level directories holding the project's own code (the fixed top-level layout: agent, evals, load, chaos, gates, bin). */
export const SOURCE_DIRS = ['agent', 'evals', 'load', 'chaos', 'gates', 'bin'] as const;

/**
 * Files git tracks plus untracked files it does not ignore: what the next commit can contain.
 * Paths are relative to `root`, with deleted-but-tracked files dropped.
 */
export async function repoFiles(root: string): Promise<string[]> {
  const { stdout } = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(stdout.split('\0').filter(Boolean))].filter((f) => existsSync(join(root, f))).sort();
}

// Tests, test helpers and fixtures hold hostile inputs on purpose; they are data for the scanners' own tests.
const NOT_SOURCE = [/\.test\.ts$/, /\.test-support\.ts$/, /(^|\/)fixtures\//, /(^|\/)rule-tests\//, /(^|\/)testing\.ts$/, /(^|\/)test-[\w-]+\.ts$/];

/** The project's TypeScript and JavaScript sources, without tests and fixtures. */
export function sourceFiles(files: readonly string[]): string[] {
  return files.filter(
    (f) => SOURCE_DIRS.some((d) => f.startsWith(`${d}/`)) && /\.(ts|mts|js|mjs|cjs)$/.test(f) && !f.endsWith('.d.ts') && !NOT_SOURCE.some((re) => re.test(f)),
  );
}
