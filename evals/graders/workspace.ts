import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const FileExpectationSchema = z
  .object({
    equals: z.string().optional(),
    contains: z.string().optional(),
    notContains: z.string().optional(),
    endsWith: z.string().optional(),
    absent: z.boolean().optional(),
  })
  .strict();

const params = z.object({ files: z.record(z.string().min(1), FileExpectationSchema) });

export const workspaceGrader = {
  id: 'workspace',
  kind: 'workspace',
  description: 'After the run, each named file in the workspace exists (or is absent) with the expected contents.',
  params,
  async grade(p, t) {
    if (!t.workspaceRoot) return outcome(false, 'the run had no workspace to inspect');
    const root = resolve(t.workspaceRoot);
    const problems: string[] = [];
    for (const [path, want] of Object.entries(p.files)) {
      const full = resolve(join(root, path));
      if (!full.startsWith(root + sep)) {
        problems.push(`${path}: outside the workspace`);
        continue;
      }
      const text = await readFile(full, 'utf8').catch(() => undefined);
      if (want.absent) {
        if (text !== undefined) problems.push(`${path}: should be absent`);
        continue;
      }
      if (text === undefined) {
        problems.push(`${path}: missing`);
        continue;
      }
      if (want.equals !== undefined && text !== want.equals) problems.push(`${path}: content differs (${JSON.stringify(text.slice(0, 120))})`);
      if (want.contains !== undefined && !text.includes(want.contains)) problems.push(`${path}: lacks ${JSON.stringify(want.contains)}`);
      if (want.notContains !== undefined && text.includes(want.notContains)) problems.push(`${path}: still contains ${JSON.stringify(want.notContains)}`);
      if (want.endsWith !== undefined && !text.endsWith(want.endsWith)) problems.push(`${path}: does not end with ${JSON.stringify(want.endsWith)}`);
    }
    const total = Object.keys(p.files).length;
    return { pass: problems.length === 0, score: total ? (total - new Set(problems.map((x) => x.split(':')[0])).size) / total : 1, reason: problems.length ? problems.join('; ') : `${total} file expectation(s) hold` };
  },
  examples: {
    params: { files: { 'workspace.ts': { contains: 'workspaceGrader' }, 'no-such-file.txt': { absent: true } } },
    pass: { workspaceRoot: import.meta.dirname },
    fail: { workspaceRoot: join(import.meta.dirname, '..') },
  },
} satisfies Grader<typeof params>;
