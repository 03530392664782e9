import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, CORPUS_DIR, fillPlaceholders, loadCorpus, replayCorpora } from './attack-corpus.js';

const root = join(import.meta.dirname, '../..');
const corpusDir = join(root, CORPUS_DIR);

// Names the SSRF guard refuses by name, before any DNS lookup.
const INTERNAL = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|metadata\.goog|instance-data)\.?$/i;

describe('attack corpora', () => {
  it.each(CORPORA)('%s: at least 30 valid payloads with unique ids, each citing its unit-test row', async (corpus) => {
    const entries = await loadCorpus(corpusDir, corpus);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    expect(new Set(entries.map((e) => e.attack.id)).size).toBe(entries.length);
    for (const { attack } of entries) {
      // The cited unit test must exist: a moved test file would leave the corpus citing nothing.
      const cited = /^(agent\/src\/tools\/(?:[\w-]+\/)*[\w.-]+\.test\.ts): /.exec(attack.source)?.[1];
      expect(cited, attack.source).toBeDefined();
      expect(existsSync(join(root, cited!)), cited).toBe(true);
    }
  });

  it('path traversal covers every file tool', async () => {
    const tools = new Set((await loadCorpus(corpusDir, 'path-traversal')).map((e) => e.attack.tool));
    expect([...tools].sort()).toEqual(
      ['apply_patch', 'copy_file', 'file_delete', 'file_search', 'grep_search', 'list_directory', 'move_file', 'multi_replace_in_file', 'read_file', 'read_files_in_directory', 'tree_view', 'write_file'].sort(),
    );
  });

  it('SSRF payloads can only be refused before connecting: IP literals, internal names or non-http schemes, never a DNS name', async () => {
    for (const { attack } of await loadCorpus(corpusDir, 'ssrf')) {
      const raw = String(attack.input.url);
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
      expect(isIP(host) !== 0 || INTERNAL.test(host), `${attack.id} ${raw}`).toBe(true);
    }
  });

  it('fills placeholders deep inside the input', () => {
    expect(fillPlaceholders({ a: ['{{outside}}/x', { b: '{{port}}' }], n: 1 }, { outside: '/o', port: '9' })).toEqual({ a: ['/o/x', { b: '9' }], n: 1 });
  });
});

describe('replay through the real CLI', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'lm-replay-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('refused payloads pass; a payload the tool lets through is a critical finding', async () => {
    const dir = join(tmp, 'corpora');
    await mkdir(dir);
    const rows = [
      { id: 'pt-001', tool: 'read_file', input: { file_path: '../outside/canary.txt' }, expect: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE', source: 'agent/src/tools/support/fs-security.test.ts: relative escape' },
      { id: 'pt-002', tool: 'read_file', input: { file_path: '{{canary}}' }, expect: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE', source: 'agent/src/tools/support/fs-security.test.ts: absolute canary file' },
      // Not an attack: reading a file inside the workspace succeeds, so the replay must call it out.
      { id: 'pt-003', tool: 'read_file', input: { file_path: 'seed.txt' }, source: 'agent/src/tools/support/fs-security.test.ts: control (allowed)' },
    ];
    await writeFile(join(dir, 'path-traversal.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const work = join(tmp, 'work');
    await mkdir(work);
    const { findings, refused, payloads } = await replayCorpora(root, work, () => {}, ['path-traversal'], dir);
    expect(payloads['path-traversal']).toBe(3);
    expect(refused).toBe(2);
    expect(findings).toEqual([expect.objectContaining({ rule: 'attack-corpus/path-traversal', severity: 'critical', file: 'datasets/attacks/path-traversal.jsonl', line: 3, message: expect.stringContaining('pt-003') })]);
  }, 60_000);
});
