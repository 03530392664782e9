import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../../../evals/sim/index.js';
import { AUTH_HEADERS, startTestService } from '../../routes/service.test-support.js';

// The whole service over real HTTP: a run whose model asks grep_search for a catastrophic pattern over 1 MB
// files, while /health is requested again and again on the same server. With RE2 the run finishes and /health
// is answered during it; a backtracking engine would hold the event loop, and every request with it.

const CATASTROPHIC = '(a+)+$';
const MB = 1024 * 1024;

describe('the service while grep_search runs a catastrophic pattern', () => {
  it('answers /health during the run, and the run completes', async () => {
    const sim = await startSimulator({
      cassettes: [
        {
          id: 'stall:grep',
          threads: [
            {
              agent: 'LuminaMind',
              user: 'Find runs of a at line ends',
              turns: [{ tool_calls: [{ name: 'grep_search', arguments: { query: CATASTROPHIC } }] }, { content: 'No line ends in a run of a.' }],
            },
          ],
        },
      ],
    });
    const svc = await startTestService({ APPROVAL_POLICY: 'auto' }, {}, sim);
    try {
      await writeFile(join(svc.root, 'one-line.txt'), `${'a'.repeat(MB - 1)}b\n`);
      await writeFile(join(svc.root, 'lines.txt'), `${'a'.repeat(4095)}b\n`.repeat(256));
      await svc.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;

      let pending = true;
      const run = fetch(`${base}/v1/chat`, {
        method: 'POST',
        headers: { ...AUTH_HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({ thread_id: 'stall-1', message: 'Find runs of a at line ends' }),
      }).finally(() => (pending = false));
      let answered = 0;
      while (pending) {
        const res = await fetch(`${base}/health`);
        if (res.status === 200 && pending) answered++;
        await res.arrayBuffer();
      }
      const res = await run;
      const body = (await res.json()) as Record<string, unknown>;
      console.info(`[regex-stall] service: ${answered} /health answers during the run`);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.tool_calls).toMatchObject([{ name: 'grep_search', output: `No matches found for '${CATASTROPHIC}' in '.'.`, error: false }]);
      expect(body.answer).toBe('No line ends in a run of a.');
      expect(answered).toBeGreaterThan(0);
    } finally {
      await svc.close();
      await sim.close();
    }
  }, 60_000);
});
