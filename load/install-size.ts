import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Issue 13, item 4: what the service's production install weighs. `npm ci --omit=dev` of this checkout's
// package.json and lockfile into a temp folder (the packages `serve` needs and nothing of the harness), and the
// bundle's folder (what the image carries: dist/ only). Part 4 of `npm run bench:service`. Not a test.

/** Goal of item 4: `npm ci --omit=dev` installs at most this much. */
const INSTALL_GOAL_MB = 300;

/** Disk use of a folder in MiB, as `du -sm` counts it (blocks, so what the install really takes). */
function diskMb(folder: string): number {
  const du = spawnSync('du', ['-sm', folder], { encoding: 'utf8' });
  if (du.status !== 0) throw new Error(`du -sm ${folder} failed: ${du.stderr.trim()}`);
  return Number(du.stdout.split('\t')[0]);
}

/**
 * Installs the production dependencies into a temp folder and prints their size beside the bundle's; resolves true
 * or false for the goal, or undefined when the install could not run (no registry, no cache): inconclusive, never met.
 *
 * @example
 *   const bundle = await bundleServiceToTemp();
 *   await measureInstallSize({ bundleRoot: bundle.root });
 */
export async function measureInstallSize(options: { bundleRoot: string; log?: (line: string) => void }): Promise<boolean | undefined> {
  const log = options.log ?? console.log;
  const checkout = join(import.meta.dirname, '..');
  const folder = await mkdtemp(join(tmpdir(), 'lm-install-'));
  try {
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      if (existsSync(join(checkout, file))) copyFileSync(join(checkout, file), join(folder, file));
    }
    const started = performance.now();
    const npm = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: folder, encoding: 'utf8' });
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const bundleMb = diskMb(join(options.bundleRoot, 'dist'));
    log(`\ninstall size: the bundle (dist/, all the image carries) ${bundleMb} MB`);
    if (npm.status !== 0) {
      // npm's first error lines say what went wrong (code, then the message); its last ones only point at its log.
      const why = npm.stderr.split('\n').filter((line) => line.startsWith('npm error') && line.length > 'npm error '.length).slice(0, 2);
      log(`install size: \`npm ci --omit=dev\` failed (exit ${npm.status}) in ${seconds} s, so its size is inconclusive: ${why.join(' / ') || npm.stderr.trim().slice(-300)}`);
      return undefined;
    }
    const installMb = diskMb(join(folder, 'node_modules'));
    const met = installMb <= INSTALL_GOAL_MB;
    log(`install size: \`npm ci --omit=dev\` ${installMb} MB in ${seconds} s`);
    log(`goal: \`npm ci --omit=dev\` ≤ ${INSTALL_GOAL_MB} MB (${met ? 'met' : 'NOT met'})`);
    return met;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
