import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DRILL_IDS } from './drills/index.js';

const run = promisify(execFile);

describe('node bin/luminamind chaos redis-explode', () => {
  it('exits 2 and prints the unknown name and the list of drills', async () => {
    const failed = await run(process.execPath, ['bin/luminamind', 'chaos', 'redis-explode', '--out', '/dev/null/never-written']).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('redis-explode');
    for (const id of DRILL_IDS) expect(failed?.stderr).toContain(id);
  }, 60_000);
});
