import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Drill, Stack } from '../lab/index.js';
import { redisCli } from '../lab/redis-ha.js';

const run = promisify(execFile);

/** The scripts the redis-backup CronJob mounts (deploy/k8s/base/kustomization.yaml) and the runbook runs by hand. */
export const BACKUP_SCRIPT = fileURLToPath(new URL('../../deploy/k8s/base/redis/scripts/backup.sh', import.meta.url));
export const RESTORE_SCRIPT = fileURLToPath(new URL('../../deploy/k8s/base/redis/scripts/restore.sh', import.meta.url));

/** Runs one of the scripts with the environment the CronJob gives it (the master found through the Sentinels). */
async function script(file: string, stack: Stack, vars: Record<string, string>): Promise<string> {
  const ha = stack.redisHa!;
  // `env` adds the variables to this process's own environment (PATH for redis-cli), as a shell would.
  const assignments = Object.entries({ SENTINEL_HOSTS: ha.sentinelList.replaceAll(',', ' '), MASTER_NAME: ha.name, WAIT_SECONDS: '60', ...vars }).map(([k, v]) => `${k}=${v}`);
  const { stdout, stderr } = await run('env', [...assignments, 'sh', file], { timeout: 90_000 });
  return `${stdout}${stderr}`.trim().split('\n').filter((l) => /^(backup|restore):/.test(l)).join(' ');
}

export const redisRestore = {
  id: 'redis-restore',
  title: 'Redis backed up with the CronJob\'s backup.sh, wiped with FLUSHALL under load, restored with restore.sh',
  runbook: 'docs/runbooks/redis-recovery.md (restore from backup)',
  faultSeconds: 3,
  stack: { redis: 'replicated', backup: true },
  // Redis stays up while its data is gone, so new chats are served throughout; the proof is that every thread written
  // before the backup reads back through the service after the restore.
  hypothesis: { minSuccessDuring: 0.95, minQualityAnswered: 1 },
  async inject(stack) {
    const ha = stack.redisHa!;
    const out = join(stack.scratch, 'backup.rdb');
    const backup = stack.spec.backup === false ? 'skipped: no backup taken' : await script(BACKUP_SCRIPT, stack, { OUT: out });
    const master = (await ha.masterPort())!;
    const keysBefore = Number(await redisCli(master, ['DBSIZE']));
    const flushed = await redisCli(master, ['FLUSHALL']);
    return { backup, master, keysBefore, flushall: flushed, keysAfter: Number(await redisCli(master, ['DBSIZE'])) };
  },
  async heal(stack) {
    if (stack.spec.backup === false) return { restore: 'skipped: no backup to restore from' };
    const restore = await script(RESTORE_SCRIPT, stack, { IN: join(stack.scratch, 'backup.rdb') });
    return { restore };
  },
  withoutResilience: { feature: 'no backup taken before the wipe: nothing to restore from', stack: { backup: false } },
  // A wipe is not an outage: chats keep being served, so the error-rate alert must stay quiet.
  alert: { name: 'HighErrorRate', expect: 'silent' },
} satisfies Drill;
