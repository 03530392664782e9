import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetFiles } from './dataset-files.js';

describe('readDatasetFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lm-dataset-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a YAML syntax error names the file, line and column', async () => {
    await writeFile(join(dir, 'a.yaml'), 'cases:\n  - id: ok\n');
    await writeFile(join(dir, 'b.yaml'), 'cases:\n  - id: x\n    input: [unclosed\n');
    const err = (await readDatasetFiles(dir).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('EVL_ERR_DATASET_INVALID');
    expect(err.message).toContain(`Dataset ${join(dir, 'b.yaml')}:4:1 is invalid:\n  - YAML syntax error: Flow sequence`);
  });

  it('well-formed files parse, in name order (the twin of the syntax error)', async () => {
    await writeFile(join(dir, 'b.yml'), 'cases: [2]\n');
    await writeFile(join(dir, 'a.yaml'), 'cases: [1]\n');
    await writeFile(join(dir, 'notes.txt'), 'not a case file');
    expect(await readDatasetFiles(dir)).toEqual([
      { path: join(dir, 'a.yaml'), value: { cases: [1] } },
      { path: join(dir, 'b.yml'), value: { cases: [2] } },
    ]);
  });

  it('a missing folder, a file and an empty folder are sentences with the path, not raw ENOENT', async () => {
    const missing = join(dir, 'nope');
    await expect(readDatasetFiles(missing)).rejects.toThrow(`Dataset ${missing} is invalid:\n  - there is no folder at this path`);
    await writeFile(join(dir, 'f.yaml'), 'cases: []\n');
    await expect(readDatasetFiles(join(dir, 'f.yaml'))).rejects.toThrow('this is a file, not a folder');
    await rm(join(dir, 'f.yaml'));
    await expect(readDatasetFiles(dir)).rejects.toThrow('the folder holds no *.yaml case files');
  });
});
