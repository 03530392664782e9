import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { SimCassetteInvalidError } from './errors.js';

const UserTextSchema = z.union([z.string(), z.array(z.string()).min(1)]);

export const ToolCallSpecSchema = z.object({
  name: z.string().min(1),
  /** An object (sent as JSON) or a raw string (sent verbatim: lets a faulty script send malformed JSON). */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
});
export type ToolCallSpec = z.infer<typeof ToolCallSpecSchema>;

/**
 * One assistant turn. `user` lists the user messages that arrive right before it (for turn 0 the
 * opening message(s), which may also be given on the thread).
 *
 * @example
 *   { user: 'What is the weather in Paris?', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }
 *   { content: 'It is 18 °C and sunny in Paris.' }
 */
export const TurnSchema = z
  .object({
    user: UserTextSchema.optional(),
    content: z.string().nullable().optional(),
    tool_calls: z.array(ToolCallSpecSchema).optional(),
    finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']).optional(),
    usage: z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) }).optional(),
    /** Free text for authors (e.g. which fault a faulty variant injects); never sent. */
    note: z.string().optional(),
  })
  .strict()
  .refine((t) => (t.content !== undefined && t.content !== null) || (t.tool_calls?.length ?? 0) > 0, {
    message: 'a turn needs content or tool_calls',
  });
export type Turn = z.infer<typeof TurnSchema>;

/**
 * One conversation of one agent: identity + opening user message(s) select it, the n-th request in it
 * (n = assistant turns already in the request) gets turns[n].
 *
 * @example
 *   { agent: 'web-researcher', user: 'Find the population of Lyon', turns: [...] }
 */
export const ThreadSchema = z
  .object({
    /** The system prompt's first line, a whole word of it (e.g. 'web-researcher'), or '*' for any. */
    agent: z.string().min(1).default('*'),
    /** The opening user message(s); omitted = any opening (only safe when one script is loaded at a time). */
    user: UserTextSchema.optional(),
    turns: z.array(TurnSchema).min(1),
  })
  .strict();
export type Thread = z.infer<typeof ThreadSchema>;

const ID = z.string().regex(/^[A-Za-z0-9][\w.:/-]*$/, 'letters, digits and . _ : / - only');

export const CassetteSchema = z
  .object({
    id: ID,
    description: z.string().optional(),
    source: z.enum(['recorded', 'authored']).default('authored'),
    /** The model that produced a recorded cassette (informational). */
    model: z.string().optional(),
    threads: z.array(ThreadSchema).min(1),
  })
  .strict();
export type Cassette = z.infer<typeof CassetteSchema>;
export type CassetteInput = z.input<typeof CassetteSchema>;

/**
 * An authored script: the ordered assistant turns of one conversation, shorthand for a one-thread cassette.
 *
 * @example
 *   { id: 'weather-paris:gold', user: 'Weather in Paris?', turns: [{ tool_calls: [...] }, { content: '18 °C' }] }
 */
export const ScriptSchema = z
  .object({
    id: ID,
    description: z.string().optional(),
    agent: z.string().min(1).default('*'),
    user: UserTextSchema.optional(),
    turns: z.array(TurnSchema).min(1),
  })
  .strict();
export type Script = z.infer<typeof ScriptSchema>;
export type ScriptInput = z.input<typeof ScriptSchema>;

export function scriptToCassette(script: ScriptInput): Cassette {
  const s = ScriptSchema.parse(script);
  const thread: Thread = { agent: s.agent, turns: s.turns, ...(s.user === undefined ? {} : { user: s.user }) };
  return { id: s.id, source: 'authored', threads: [thread], ...(s.description ? { description: s.description } : {}) };
}

function formatIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates one cassette or script object (a script is recognised by `turns` at the top level). */
export function parseCassette(value: unknown, where = '(inline)'): Cassette {
  const isScript = value !== null && typeof value === 'object' && 'turns' in value && !('threads' in value);
  const result = isScript ? ScriptSchema.safeParse(value) : CassetteSchema.safeParse(value);
  if (!result.success) throw new SimCassetteInvalidError(where, formatIssues(result.error));
  return isScript ? scriptToCassette(result.data as Script) : (result.data as Cassette);
}

const CASSETTE_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && CASSETTE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Reads and validates cassette files: one file, or every .json/.yaml/.yml under a directory. A file may hold one cassette, a script, or an array of them. */
export async function loadCassettes(paths: string | readonly string[]): Promise<Cassette[]> {
  const files = (await Promise.all((typeof paths === 'string' ? [paths] : paths).map(filesUnder))).flat();
  const out: Cassette[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    let value: unknown;
    try {
      value = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new SimCassetteInvalidError(file, (err as Error).message);
    }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => out.push(parseCassette(item, items.length > 1 ? `${file}[${i}]` : file)));
  }
  return out;
}

/** Writes a cassette as YAML (.yaml/.yml) or JSON, atomically so a crash never leaves half a file. */
export async function writeCassetteFile(file: string, cassette: Cassette): Promise<void> {
  const ext = extname(file).toLowerCase();
  const text = ext === '.yaml' || ext === '.yml' ? stringifyYaml(cassette, { lineWidth: 0 }) : `${JSON.stringify(cassette, null, 2)}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}
