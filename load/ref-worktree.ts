import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { AgainstFailedError, LoadUsageError } from './errors.js';

const run = promisify(execFile);

async function git(args: string[], cwd: string): Promise<string> {
  return (await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
}

async function gitOk(args: string[], cwd: string): Promise<string | undefined> {
  try {
    return await git(args, cwd);
  } catch {
    return undefined;
  }
}

/** The commit a paired load run compares with, and why that one. */
export interface AgainstRef {
  /** What was asked for: a ref, or `auto`. */
  requested: string;
  /** The ref it resolved through (e.g. `main`, `HEAD~1`). */
  ref: string;
  sha: string;
  chosen: string;
  /** The baseline is the candidate's own code (REF is HEAD and the tree is clean): an A/A run. */
  selfComparison: boolean;
  /** `auto` found nothing earlier than HEAD (a fresh clone with one commit): the verdict cannot speak of a regression. */
  fellBackToHead: boolean;
}

const MAIN_BRANCHES = ['main', 'master', 'origin/main', 'origin/master'];
const PromotionSchema = z.object({ commit: z.string().regex(/^[0-9a-f]{7,64}$/) });

/** The commit named by the gate's promotion record (reports/gate/promotion.json), when there is one. */
async function promotedCommit(repo: string): Promise<string | undefined> {
  try {
    return PromotionSchema.parse(JSON.parse(await readFile(join(repo, 'reports/gate/promotion.json'), 'utf8'))).commit;
  } catch {
    return undefined;
  }
}

/**
 * Resolves `--against`. `auto` (what the gate uses) takes the first of: the merge base with the main branch when on
 * another branch that has commits of its own; the last promoted commit (reports/gate/promotion.json) when it is an
 * ancestor of HEAD; HEAD~1; and, in a clone with a single commit, HEAD itself (A/A, said so in the report).
 *
 * @example
 *   await resolveAgainst('auto'); // { ref: 'main', sha: '…', chosen: 'merge base of feature-x with main', … }
 */
export async function resolveAgainst(requested: string, repo = process.cwd()): Promise<AgainstRef> {
  const head = await gitOk(['rev-parse', '--verify', 'HEAD^{commit}'], repo);
  if (!head) throw new LoadUsageError(`--against needs a git repository with a commit (none at ${repo})`);
  const clean = (await gitOk(['diff', '--quiet', 'HEAD', '--'], repo)) !== undefined;
  const pick = (ref: string, sha: string, chosen: string): AgainstRef => ({ requested, ref, sha, chosen, selfComparison: sha === head && clean, fellBackToHead: false });
  if (requested !== 'auto') {
    const sha = await gitOk(['rev-parse', '--verify', '--quiet', `${requested}^{commit}`], repo);
    if (!sha) throw new LoadUsageError(`--against ${requested}: not a commit of this repository`);
    return pick(requested, sha, `asked for (--against ${requested})`);
  }
  const branch = await gitOk(['symbolic-ref', '--quiet', '--short', 'HEAD'], repo);
  for (const main of MAIN_BRANCHES) {
    if (!branch || branch === main || !(await gitOk(['rev-parse', '--verify', '--quiet', main], repo))) continue;
    const base = await gitOk(['merge-base', 'HEAD', main], repo);
    if (base && base !== head) return pick(main, base, `merge base of branch ${branch} with ${main}`);
    break;
  }
  const promoted = await promotedCommit(repo);
  const promotedSha = promoted && (await gitOk(['rev-parse', '--verify', '--quiet', `${promoted}^{commit}`], repo));
  if (promotedSha && promotedSha !== head && (await gitOk(['merge-base', '--is-ancestor', promotedSha, 'HEAD'], repo)) !== undefined)
    return pick(promoted!, promotedSha, 'last promoted commit (reports/gate/promotion.json)');
  const parent = await gitOk(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}'], repo);
  if (parent) return pick('HEAD~1', parent, `HEAD~1 (${branch ? `on ${branch}` : 'detached HEAD'}: no merge base of its own and no promotion record)`);
  return { ...pick('HEAD', head, 'HEAD itself: no earlier commit (a clone with a single commit), so this is an A/A run'), fellBackToHead: true };
}

export interface RefWorktree {
  dir: string;
  /** How REF got its npm dependencies. */
  deps: string;
  remove(): Promise<void>;
}

/**
 * Checks REF out into a temporary `git worktree` ready to serve: the main checkout's node_modules is linked in when
 * REF's package-lock.json is byte-identical to the checkout's, else `npm ci` installs REF's own (slower; reported).
 * `remove()` deletes the worktree and its registration; it is safe to call twice.
 */
export async function checkoutWorktree(sha: string, repo = process.cwd(), onProgress: (line: string) => void = () => {}): Promise<RefWorktree> {
  const dir = await mkdtemp(join(tmpdir(), 'lm-against-'));
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await gitOk(['worktree', 'remove', '--force', dir], repo);
    await rm(dir, { recursive: true, force: true });
    await gitOk(['worktree', 'prune'], repo);
  };
  try {
    await git(['worktree', 'add', '--detach', '--quiet', dir, sha], repo);
    const [theirs, ours] = await Promise.all([gitOk(['show', `${sha}:package-lock.json`], repo), readFile(join(repo, 'package-lock.json'), 'utf8').then((t) => t.trim(), () => undefined)]);
    if (theirs !== undefined && theirs === ours) {
      await symlink(resolve(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
      return { dir, deps: 'node_modules linked from the main checkout (package-lock.json identical)', remove };
    }
    onProgress(`load: ${sha.slice(0, 12)} has a different package-lock.json: npm ci in the worktree (this takes a while) …`);
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return { dir, deps: 'npm ci in the worktree (package-lock.json differs from the checkout)', remove };
  } catch (err) {
    await remove();
    throw new AgainstFailedError(sha.slice(0, 12), err instanceof Error ? err.message : String(err));
  }
}
