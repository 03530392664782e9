import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { parse as parseYaml } from 'yaml';
import { type Simulator, createRecorder, loadCassettes, startSimulator } from './index.js';

const SYSTEM = 'You are the code-executor subagent of LuminaMind.\nInspect before you change.';

describe('recording', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lm-sim-rec-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('recordTurn builds threads a fresh simulator replays', async () => {
    const rec = createRecorder({ id: 'rec-1', model: 'gpt-real' });
    const opening = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `List ${dir}` },
    ];
    const call = { id: 'call_real1', type: 'function', function: { name: 'list_directory', arguments: '{"dir_path":"."}' } };
    rec.recordTurn(opening, { content: null, tool_calls: [call] });
    rec.recordTurn([...opening, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_real1', content: 'a.md' }], {
      content: 'One file: a.md',
    });
    rec.recordTurn([{ role: 'user', content: 'hi' }], { content: 'Hello.' });
    const cassette = rec.cassette();
    expect(cassette).toMatchObject({ id: 'rec-1', source: 'recorded', model: 'gpt-real' });
    expect(cassette.threads).toHaveLength(2);
    expect(cassette.threads[0]).toMatchObject({
      agent: 'You are the code-executor subagent of LuminaMind.',
      turns: [{ user: `List ${dir}`, tool_calls: [{ name: 'list_directory', arguments: { dir_path: '.' } }] }, { content: 'One file: a.md' }],
    });

    const sim = await startSimulator({ cassettes: [cassette] });
    try {
      const client = new OpenAI({ baseURL: sim.url, apiKey: 'sim', maxRetries: 0 });
      // Another machine, another temp dir: the recorded opening still matches.
      const res = await client.chat.completions.create({ model: 'sim', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'List /tmp/lm-sim-rec-OTHER' }] });
      expect(res.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'list_directory' } });
    } finally {
      await sim.close();
    }
  });

  it('proxy mode forwards to the upstream, answers in the client mode, and writes a cassette that replays', async () => {
    const upstream = await startSimulator({
      cassettes: [{ id: 'real', agent: '*', user: 'Weather in Rome?', turns: [{ tool_calls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] }, { content: 'Rome: 21 °C.' }] }],
    });
    const file = join(dir, 'recorded.yaml');
    const proxy = await startSimulator({ record: { upstream: upstream.url, file, id: 'rome' } });
    const replay: Simulator[] = [];
    try {
      const client = new OpenAI({ baseURL: proxy.url, apiKey: 'real-key', maxRetries: 0 });
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Rome?' }];
      const stream = await client.chat.completions.create({ model: 'm', messages, stream: true, stream_options: { include_usage: true } });
      let args = '';
      let id = '';
      for await (const chunk of stream) for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) [args, id] = [args + (tc.function?.arguments ?? ''), tc.id ?? id];
      expect(JSON.parse(args)).toEqual({ city: 'Rome' });
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args } }] });
      messages.push({ role: 'tool', tool_call_id: id, content: '{"tempC":21}' });
      const second = await client.chat.completions.create({ model: 'm', messages });
      expect(second.choices[0]!.message.content).toBe('Rome: 21 °C.');
      expect(proxy.stats().recorded).toBe(2);

      const written = parseYaml(await readFile(file, 'utf8')) as { id: string; source: string; threads: unknown[] };
      expect(written).toMatchObject({ id: 'rome', source: 'recorded', threads: [{ agent: '*', turns: [{ user: 'Weather in Rome?' }, { content: 'Rome: 21 °C.' }] }] });

      replay.push(await startSimulator({ cassettes: file }));
      const again = new OpenAI({ baseURL: replay[0]!.url, apiKey: 'sim', maxRetries: 0 });
      const r = await again.chat.completions.create({ model: 'm', messages });
      expect(r.choices[0]!.message.content).toBe('Rome: 21 °C.');
    } finally {
      await Promise.all([upstream.close(), proxy.close(), ...replay.map((s) => s.close())]);
    }
  });

  it('proxy mode passes upstream errors through', async () => {
    const upstream = await startSimulator();
    const proxy = await startSimulator({ record: { upstream: upstream.url, file: join(dir, 'none.json') } });
    try {
      const res = await fetch(`${proxy.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_NO_CASSETTE' } });
      expect(proxy.stats().upstreamErrors).toBe(1);
    } finally {
      await Promise.all([upstream.close(), proxy.close()]);
    }
  });

  it('loadCassettes reads a directory of JSON and YAML, scripts included, and names the bad file', async () => {
    const sub = join(dir, 'cassettes');
    await rm(sub, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(sub, 'nested'), { recursive: true }));
    await writeFile(join(sub, 'a.json'), JSON.stringify({ id: 'a', threads: [{ user: 'x', turns: [{ content: 'y' }] }] }));
    await writeFile(join(sub, 'nested', 'b.yaml'), 'id: b:gold\nuser: hi\nturns:\n  - content: hello\n');
    await writeFile(join(sub, 'notes.txt'), 'ignored');
    const loaded = await loadCassettes(sub);
    expect(loaded.map((c) => c.id)).toEqual(['a', 'b:gold']);
    await writeFile(join(sub, 'c.yaml'), 'id: c\nthreads:\n  - turns:\n      - note: no content\n');
    await expect(loadCassettes(sub)).rejects.toMatchObject({ code: 'EVL_ERR_SIM_CASSETTE_INVALID', message: expect.stringContaining('c.yaml') });
  });
});
