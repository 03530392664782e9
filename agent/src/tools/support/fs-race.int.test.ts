import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInWorkspace } from './path-sandbox.js';
import { applyPatchTool } from '../apply-patch.js';
import { copyFileTool } from '../copy-file.js';
import { fileDeleteTool } from '../file-delete.js';
import { fileSearchTool } from '../file-search.js';
import { grepSearchTool } from '../grep-search.js';
import { listDirectoryTool } from '../list-directory.js';
import { moveFileTool } from '../move-file.js';
import { multiReplaceInFileTool } from '../multi-replace-in-file.js';
import { readFileTool } from '../read-file.js';
import { readFilesInDirectoryTool } from '../read-files-in-directory.js';
import { treeViewTool } from '../tree-view.js';
import { call, createTestWorkspace } from './workspace.test-support.js';
import type { TestWorkspace } from './workspace.test-support.js';
import type { ToolContext } from './types.js';
import { writeFileTool } from '../write-file.js';

// A check-then-use race with a real second process: `flip` inside the workspace is switched, over and over,
// between a real folder and a symlink to an outside folder holding a secret. The file tools must never read
// the secret nor create or change anything outside; the name-based reference below shows the race is real.

const SECRET = 'CANARY-RACE-SECRET-91c4';
const INSIDE = 'inside note\n';
const FLIPS = 1000;

// The attacker: parks the real folder (still inside the workspace), puts a symlink to the outside in its place,
// then puts the folder back; each state held about 0.5 ms. Prints its flip count when done. write_file may
// recreate \`flip\` while it is parked (it makes missing folders): that folder is inside, and moved aside.
const FLIPPER = `
const fs = require('node:fs');
const [flip, parked, outside, n] = process.argv.slice(1);
const pause = new Int32Array(new SharedArrayBuffer(4));
const hold = () => { const end = process.hrtime.bigint() + 500000n; while (process.hrtime.bigint() < end); };
let intruders = 0;
const place = (put) => {
  for (;;) {
    try { return put(); } catch { try { fs.renameSync(flip, parked + '-intruder-' + intruders++); } catch {} }
  }
};
let flips = 0;
for (let i = 0; i < Number(n); i++) {
  fs.renameSync(flip, parked);
  place(() => fs.symlinkSync(outside, flip));
  hold();
  fs.unlinkSync(flip);
  place(() => fs.renameSync(parked, flip));
  hold();
  flips++;
  if (i % 50 === 0) Atomics.wait(pause, 0, 0, 1);
}
process.stdout.write(String(flips));
`;

interface Flipper {
  readonly running: boolean;
  done: Promise<number>;
}

function startFlipper(ws: TestWorkspace, flips = FLIPS): Flipper {
  const child = spawn(process.execPath, ['-e', FLIPPER, join(ws.root, 'flip'), join(ws.root, 'parked'), ws.outside, String(flips)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const state = { running: true };
  // Resolves either way: a flipper that crashed shows up as a wrong flip count, not an unhandled rejection.
  const done = new Promise<number>((resolve) =>
    child.once('exit', (code) => {
      state.running = false;
      resolve(code === 0 ? Number(out) : -1);
    }),
  );
  return {
    get running() {
      return state.running;
    },
    done,
  };
}

/** Everything under the outside folder, with contents: it must end exactly as it started. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

/** Deliberately unsafe reference: the old check-then-open-by-name reads and writes, for the can-fail twin. */
const nameBased = {
  async read(ctx: ToolContext, path: string): Promise<string> {
    return readFile(await resolveInWorkspace(ctx, 'read_file', path), 'utf8');
  },
  async write(ctx: ToolContext, path: string, text: string): Promise<void> {
    const abs = await resolveInWorkspace(ctx, 'write_file', path);
    const tmp = join(dirname(abs), `.${basename(abs)}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, abs);
  },
};

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  await mkdir(join(ws.root, 'flip'));
  await writeFile(join(ws.root, 'flip', 'note.txt'), INSIDE);
  await writeFile(join(ws.outside, 'note.txt'), SECRET);
  // A name that must never be listed, and a file that must never be deleted.
  await writeFile(join(ws.outside, `${SECRET}.txt`), 'name canary');
  await writeFile(join(ws.outside, 'gone.txt'), 'delete canary');
});
afterEach(() => ws.cleanup());

describe('file tools against a second process switching a folder for a symlink', () => {
  it(`read_file and write_file never read the secret nor touch the outside over ${FLIPS} flips`, async () => {
    const before = await snapshot(ws.outside);
    const flipper = startFlipper(ws);
    const tally = { reads: 0, readOk: 0, writes: 0, writeOk: 0, refused: 0, refusedAfterOpen: 0 };
    const seen: string[] = [];
    for (let i = 0; flipper.running; i++) {
      const read = await call(readFileTool, { file_path: 'flip/note.txt' }, ws.ctx);
      tally.reads++;
      seen.push(JSON.stringify(read));
      if (read === INSIDE) tally.readOk++;
      const write = await call(writeFileTool, { file_path: 'flip/out.txt', text: `write ${i}\n` }, ws.ctx);
      tally.writes++;
      seen.push(JSON.stringify(write));
      if (typeof write === 'string') tally.writeOk++;
    }
    expect(await flipper.done).toBe(FLIPS);
    for (const e of ws.events) {
      tally.refused++;
      if (String(e.detail.reason).includes('switched')) tally.refusedAfterOpen++;
    }
    console.info('[fs-race] protected tools:', JSON.stringify(tally));
    expect(seen.filter((s) => s.includes(SECRET))).toEqual([]);
    expect(await snapshot(ws.outside)).toEqual(before);
    // The calls really ran during the flips, both kinds got through at times, and some were stopped only by the
    // check of the opened descriptor (the name had passed resolveInWorkspace): the race was met, not avoided.
    expect(tally.reads).toBeGreaterThan(20);
    expect(tally.readOk).toBeGreaterThan(0);
    expect(tally.writeOk).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.refusedAfterOpen).toBeGreaterThan(0);
  }, 60_000);

  it('every other file tool: nothing outside is listed, read, moved in, changed or deleted', async () => {
    const before = await snapshot(ws.outside);
    const flipper = startFlipper(ws);
    const seen: string[] = [];
    const patch = `--- a/note.txt\n+++ b/note.txt\n@@ -1 +1 @@\n-${SECRET}\n\\ No newline at end of file\n+patched\n`;
    let rounds = 0;
    const run = async (result: Promise<unknown>) => seen.push(JSON.stringify(await result));
    while (flipper.running) {
      rounds++;
      await run(call(listDirectoryTool, { dir_path: 'flip' }, ws.ctx));
      await run(call(treeViewTool, { path: 'flip' }, ws.ctx));
      await run(call(fileSearchTool, { dir_path: 'flip', pattern: '*' }, ws.ctx));
      await run(call(grepSearchTool, { query: 'CANARY', directory: 'flip' }, ws.ctx));
      await run(call(readFilesInDirectoryTool, { directory_path: 'flip' }, ws.ctx));
      await run(call(copyFileTool, { source_path: 'flip/note.txt', destination_path: 'copied.txt' }, ws.ctx));
      await run(call(readFileTool, { file_path: 'copied.txt' }, ws.ctx));
      await run(call(moveFileTool, { source_path: 'flip/note.txt', destination_path: 'taken.txt' }, ws.ctx));
      await run(call(readFileTool, { file_path: 'taken.txt' }, ws.ctx));
      await run(call(moveFileTool, { source_path: 'taken.txt', destination_path: 'flip/note.txt' }, ws.ctx));
      await run(call(writeFileTool, { file_path: 'flip/gone.txt', text: 'inside' }, ws.ctx));
      await run(call(fileDeleteTool, { file_path: 'flip/gone.txt' }, ws.ctx));
      await run(call(multiReplaceInFileTool, { path: 'flip/note.txt', replacements: [{ find: 'CANARY', replace: 'changed' }] }, ws.ctx));
      await run(call(applyPatchTool, { target_file: 'flip/note.txt', diff_content: patch }, ws.ctx));
    }
    expect(await flipper.done).toBe(FLIPS);
    console.info('[fs-race] other tools:', JSON.stringify({ rounds, calls: seen.length, refused: ws.events.length }));
    expect(seen.filter((r) => r.includes(SECRET))).toEqual([]);
    expect(await snapshot(ws.outside)).toEqual(before);
    expect(rounds).toBeGreaterThan(5);
  }, 60_000);

  it('can fail: the same race against name-based open gets the secret out or a file outside', async () => {
    const before = await snapshot(ws.outside);
    let attempts = 0;
    let leakedReads = 0;
    let rounds = 0;
    const outsideChanged = async () => JSON.stringify(await snapshot(ws.outside)) !== JSON.stringify(before);
    // Bounded: up to 10 rounds of flips, stopping at the first round that leaked.
    while (rounds < 10 && leakedReads === 0 && !(await outsideChanged())) {
      rounds++;
      const flipper = startFlipper(ws);
      while (flipper.running) {
        attempts++;
        if ((await nameBased.read(ws.ctx, 'flip/note.txt').catch(() => '')).includes(SECRET)) leakedReads++;
        await nameBased.write(ws.ctx, 'flip/out.txt', `write ${attempts}\n`).catch(() => undefined);
      }
      await flipper.done;
    }
    const outside = await snapshot(ws.outside);
    const leakedWrites = Object.keys(outside).filter((n) => !(n in before)).length;
    console.info('[fs-race] name-based reference:', JSON.stringify({ rounds, attempts, leakedReads, filesCreatedOutside: leakedWrites }));
    expect(leakedReads + leakedWrites).toBeGreaterThan(0);
  }, 120_000);
});
