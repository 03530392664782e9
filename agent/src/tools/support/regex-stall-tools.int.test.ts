import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSearchTool } from '../file-search.js';
import { grepSearchTool } from '../grep-search.js';
import { startLocalServer } from './local-server.test-support.js';
import type { LocalServer } from './local-server.test-support.js';
import { multiReplaceInFileTool } from '../multi-replace-in-file.js';
import { call, createTestWorkspace } from './workspace.test-support.js';
import type { TestWorkspace } from './workspace.test-support.js';
import { treeViewTool } from '../tree-view.js';

// Model-supplied regexes and globs run on the service's event loop. With a backtracking engine one call with
// a catastrophic pattern blocks every request; with RE2 (linear time) it returns, and the loop keeps answering.

const CATASTROPHIC = '(a+)+$';
const CATASTROPHIC_GLOB = '*a*a*a*a*a*a*b';
const MB = 1024 * 1024;

let ws: TestWorkspace;
let health: LocalServer;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '4096' });
  // 1 MB of "aaaa…b" as one line, and 1 MB of it as 256 lines of 4 KB.
  await writeFile(join(ws.root, 'one-line.txt'), `${'a'.repeat(MB - 1)}b\n`);
  await writeFile(join(ws.root, 'lines.txt'), `${'a'.repeat(4095)}b\n`.repeat(256));
  await writeFile(join(ws.root, 'a'.repeat(200)), '');
  // Stands in for the service's /health: answered by this same event loop, or not at all.
  health = await startLocalServer((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await health.close();
  await ws.cleanup();
});

/** Runs `work` while a timer ticks and /health is requested over and over; counts what got through meanwhile. */
async function whileRunning<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number; answered: number }> {
  let ticks = 0;
  let answered = 0;
  let done = false;
  const timer = setInterval(() => ticks++, 1);
  const poller = (async () => {
    while (!done) {
      const res = await fetch(`${health.url}/health`);
      if ((await res.text()) === 'ok' && !done) answered++;
    }
  })();
  try {
    const result = await work();
    return { result, ticks, answered };
  } finally {
    done = true;
    clearInterval(timer);
    await poller;
  }
}

/** Milliseconds `fn` takes, best of `runs` (the ratio of two of these is compared, never the value itself). */
function bestOf(runs: number, fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

describe('regex and glob tools under catastrophic patterns', () => {
  it(`grep_search ${CATASTROPHIC} over 1 MB files returns while the event loop keeps answering /health`, async () => {
    const { result, ticks, answered } = await whileRunning(() => call(grepSearchTool, { query: CATASTROPHIC }, ws.ctx));
    console.info(`[regex-stall] grep_search ${CATASTROPHIC} over 2 × 1 MB: ${ticks} timer ticks, ${answered} /health answers during the call`);
    expect(result).toBe(`No matches found for '${CATASTROPHIC}' in '.'.`);
    expect(ticks).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);
  });

  it(`multi_replace_in_file ${CATASTROPHIC} over a 1 MB line returns`, async () => {
    const input = { path: 'one-line.txt', replacements: [{ find: CATASTROPHIC, replace: 'x' }], use_regex: true };
    expect(await call(multiReplaceInFileTool, input, ws.ctx)).toMatchObject({ error: false, changes: 0 });
  });

  it(`file_search and tree_view with the glob ${CATASTROPHIC_GLOB} over a 200-character name return`, async () => {
    const { result } = await whileRunning(() => call(fileSearchTool, { pattern: CATASTROPHIC_GLOB }, ws.ctx));
    expect(result).toBe(`No files found for pattern ${CATASTROPHIC_GLOB} in directory .`);
    expect(await call(treeViewTool, { exclude: [CATASTROPHIC_GLOB] }, ws.ctx)).toContain('a'.repeat(200));
  });

  it('refuses backreferences and lookahead with AGT_ERR_PATTERN_UNSUPPORTED, and keeps invalid ones apart', async () => {
    for (const query of ['(a)\\1', '(?P<q>a)(?P=q)', 'a(?=b)', 'a(?!b)']) {
      expect(await call(grepSearchTool, { query }, ws.ctx)).toMatchObject({ error: true, code: 'AGT_ERR_PATTERN_UNSUPPORTED', message: expect.stringMatching(/RE2/) });
      const edit = { path: 'lines.txt', replacements: [{ find: query, replace: 'x' }], use_regex: true };
      expect(await call(multiReplaceInFileTool, edit, ws.ctx)).toMatchObject({ error: true, code: 'AGT_ERR_PATTERN_UNSUPPORTED' });
    }
    expect(await call(grepSearchTool, { query: '(a' }, ws.ctx)).toMatchObject({ error: true, code: 'AGT_ERR_PATTERN_INVALID' });
  });

  // Can fail: the engines these tools used before are super-linear on the same patterns, so the tests above
  // are not passing merely because the inputs are easy. Doubling a tiny input multiplies the time many-fold.
  it(`can fail: native RegExp on ${CATASTROPHIC} is exponential (n = 11 → 22 costs far more than 2×)`, () => {
    const native = new RegExp(CATASTROPHIC); // the deliberately unsafe reference: the engine these tools used before
    const small = bestOf(5, () => native.test(`${'a'.repeat(11)}b`));
    const large = bestOf(3, () => native.test(`${'a'.repeat(22)}b`));
    console.info(`[regex-stall] native ${CATASTROPHIC}: n=11 ${small.toFixed(3)} ms, n=22 ${large.toFixed(3)} ms, ratio ${(large / small).toFixed(0)}`);
    expect(large / small).toBeGreaterThan(32);
  });

  it(`can fail: picomatch on ${CATASTROPHIC_GLOB} is polynomial of high degree (n = 20 → 40 costs far more than 2×)`, () => {
    const glob = picomatch.makeRe(CATASTROPHIC_GLOB, { dot: true });
    const small = bestOf(5, () => glob.test('a'.repeat(20)));
    const large = bestOf(3, () => glob.test('a'.repeat(40)));
    console.info(`[regex-stall] picomatch ${CATASTROPHIC_GLOB}: n=20 ${small.toFixed(3)} ms, n=40 ${large.toFixed(3)} ms, ratio ${(large / small).toFixed(0)}`);
    expect(large / small).toBeGreaterThan(16);
  });
});
