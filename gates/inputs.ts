import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import picomatch from 'picomatch';
import { z } from 'zod';

/**
 * What a stage's result can depend on, hashed the way build caches key actions: evidence made from the same inputs is
 * as good as a fresh run, whatever commit it was made at. A tree is every file the next commit could hold (tracked
 * files at their staged blob, modified and untracked-but-not-ignored files hashed as they are on disk), path → git
 * blob id; a stage's inputs are that tree minus the globs it declares irrelevant, plus the non-file facts (Node
 * version, policy, the stage's own options, the model configured) that change its result.
 */
export type Tree = ReadonlyMap<string, string>;

/** Never irrelevant, whatever a stage declares: the dependency lockfile and the scripts that say what a stage runs. */
export const ALWAYS_RELEVANT = ['package-lock.json', 'package.json'] as const;

export const StageInputsSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** path → git blob id of every file the stage depends on. */
  files: z.record(z.string(), z.string()),
  extras: z.record(z.string(), z.unknown()),
});
export type StageInputs = z.infer<typeof StageInputsSchema>;

const execFileAsync = promisify(execFile);

/** Git's blob id of some bytes (what `git hash-object` prints), so a dirty file hashes like the blob it would become. */
export function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The tree as it is now. `git ls-files -s` gives the staged blob ids for free; only files that differ from the index
 * (or are untracked) are read and hashed.
 *
 * @example
 *   const tree = await readTree(); tree.get('package-lock.json'); // '3f2a1c0…'
 */
export async function readTree(root = process.cwd()): Promise<Tree> {
  const git = async (args: string[]) => (await execFileAsync('git', args, { cwd: root, maxBuffer: 256 * 1024 * 1024 })).stdout.split('\0').filter(Boolean);
  const [staged, dirty] = await Promise.all([git(['ls-files', '-s', '-z']), git(['ls-files', '-z', '--modified', '--others', '--exclude-standard'])]);
  const tree = new Map<string, string>();
  for (const line of staged) {
    // "<mode> <blob> <stage>\t<path>"
    const tab = line.indexOf('\t');
    tree.set(line.slice(tab + 1), line.slice(0, tab).split(' ')[1]!);
  }
  await Promise.all(
    [...new Set(dirty)].map(async (path) => {
      try {
        tree.set(path, blobId(await readFile(join(root, path))));
      } catch {
        tree.delete(path); // deleted in the work tree (or a directory: a submodule)
      }
    }),
  );
  return tree;
}

/**
 * A stage's inputs: the tree minus what the stage declares irrelevant (picomatch globs), plus `extras`.
 *
 * @example
 *   stageInputs(tree, ['docs/**', '**\/*.md'], { node: process.version }).sha256;
 */
export function stageInputs(tree: Tree, irrelevant: readonly string[], extras: Record<string, unknown>): StageInputs {
  const ignored = picomatch([...irrelevant], { dot: true });
  const always = new Set<string>(ALWAYS_RELEVANT);
  const files = Object.fromEntries([...tree].filter(([path]) => always.has(path) || !ignored(path)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const sha256 = createHash('sha256').update(JSON.stringify({ files, extras: sortKeys(extras) })).digest('hex');
  return { sha256, files, extras };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/** What differs between the inputs evidence was made from and the inputs now: changed, added or removed paths, then changed extras as `(node)`. */
export function changedInputs(before: Pick<StageInputs, 'files' | 'extras'>, now: Pick<StageInputs, 'files' | 'extras'>): string[] {
  const paths = new Set([...Object.keys(before.files), ...Object.keys(now.files)]);
  const files = [...paths].filter((p) => before.files[p] !== now.files[p]).sort();
  const keys = new Set([...Object.keys(before.extras), ...Object.keys(now.extras)]);
  const extras = [...keys].filter((k) => JSON.stringify(sortKeys(before.extras[k])) !== JSON.stringify(sortKeys(now.extras[k]))).map((k) => `(${k})`);
  return [...extras, ...files];
}

/** Where the gate keeps the full input list of a stage's evidence, beside its report: what `--explain-reuse` diffs against. */
export const inputsPath = (reportPath: string): string => join(dirname(reportPath), 'inputs.json');

export async function writeInputs(reportPath: string, inputs: StageInputs): Promise<void> {
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(inputsPath(reportPath), `${JSON.stringify(inputs)}\n`);
}

/** The input list stored beside a report, or null when there is none or it does not hash to `sha256` (then it says nothing). */
export async function readInputs(reportPath: string, sha256: string): Promise<StageInputs | null> {
  try {
    const parsed = StageInputsSchema.parse(JSON.parse(await readFile(inputsPath(reportPath), 'utf8')));
    return stageInputs(new Map(Object.entries(parsed.files)), [], parsed.extras).sha256 === sha256 ? parsed : null;
  } catch {
    return null;
  }
}
