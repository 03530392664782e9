import { parseCassette } from './cassette.js';
import { conversationOf, type WireMessage } from './keying.js';
import { CassetteStore } from './store.js';

const MAIN = 'You are LuminaMind, a careful assistant that plans, delegates and verifies.';
const RESEARCHER = 'You are the web-researcher subagent of LuminaMind.';

const cassette = parseCassette({
  id: 'lyon-population',
  threads: [
    {
      agent: MAIN,
      user: 'What is the population of Lyon?',
      turns: [
        { tool_calls: [{ name: 'task', arguments: { subagent_type: 'web-researcher', description: 'Find the population of Lyon' } }] },
        { content: 'Lyon has 522,250 inhabitants.' },
        { user: 'And Paris?', content: 'I only looked up Lyon.' },
      ],
    },
    {
      agent: 'web-researcher',
      user: 'Find the population of Lyon',
      turns: [{ tool_calls: [{ name: 'web_search', arguments: { query: 'Lyon population' } }] }, { content: 'INSEE: 522,250 (2021).' }],
    },
  ],
});

const call = (name: string, args: object, id = 'call_x') => ({ id, type: 'function', function: { name, arguments: JSON.stringify(args) } });

function mainConversation(toolOutput: string, upto: number): WireMessage[] {
  const all: WireMessage[] = [
    { role: 'system', content: `${MAIN}\nLong body that may change.` },
    { role: 'user', content: 'What is the population of Lyon?' },
    { role: 'assistant', content: '', tool_calls: [call('task', { description: 'Find the population of Lyon', subagent_type: 'web-researcher' })] },
    { role: 'tool', tool_call_id: 'call_x', content: toolOutput },
    { role: 'assistant', content: 'Lyon has 522,250 inhabitants.' },
    { role: 'user', content: 'And Paris?' },
  ];
  return all.slice(0, upto);
}

describe('CassetteStore', () => {
  const store = new CassetteStore();
  store.load([cassette]);

  const turnOf = (messages: WireMessage[]) => {
    const r = store.lookup(conversationOf(messages));
    if ('miss' in r) throw new Error(r.miss);
    return r.hit;
  };

  it('serves the n-th turn of the thread selected by identity and opening message', () => {
    expect(turnOf(mainConversation('', 2)).response.tool_calls?.[0]?.name).toBe('task');
    expect(turnOf(mainConversation('Lyon: 522,250', 4)).response.content).toBe('Lyon has 522,250 inhabitants.');
    expect(turnOf(mainConversation('Lyon: 522,250', 6))).toMatchObject({ thread: 0, turn: 2, response: { content: 'I only looked up Lyon.' } });
  });

  it('serves the subagent conversation from its own thread (agent given as a whole word of the first line)', () => {
    const hit = turnOf([
      { role: 'system', content: `${RESEARCHER}\nBody.` },
      { role: 'user', content: 'Find the population of Lyon' },
    ]);
    expect(hit).toMatchObject({ thread: 1, turn: 0 });
  });

  it('ignores temp paths, timestamps, uuids and durations in tool outputs', () => {
    const a = turnOf(mainConversation('/tmp/ws-abc/report.md at 2025-01-01T00:00:00Z id 3f2b8c1e-9d4a-4e6b-8f00-123456789abc in 12ms', 4));
    const b = turnOf(mainConversation('/tmp/ws-xyz/report.md at 2026-07-07T11:11:11Z id 00000000-1111-4222-8333-444444444444 in 98ms', 4));
    expect(a).toEqual(b);
  });

  it('misses on a different user turn and names the nearest thread and the difference', () => {
    const messages = mainConversation('', 6);
    messages[5] = { role: 'user', content: 'And Marseille?' };
    const r = store.lookup(conversationOf(messages));
    expect('miss' in r && r.miss).toMatch(/Nearest: cassette 'lyon-population' thread 0 .*event 3 differs: cassette expects user "And Paris\?", request has user "And Marseille\?"/);
  });

  it('misses when the model turns in the request are not the cassette ones', () => {
    const messages = mainConversation('', 4);
    messages[2] = { role: 'assistant', content: '', tool_calls: [call('web_search', { query: 'Lyon' })] };
    const r = store.lookup(conversationOf(messages));
    expect('miss' in r && r.miss).toContain('event 1 differs: cassette expects assistant tool_calls task(');
  });

  it('misses on an identity it does not know', () => {
    const r = store.lookup(conversationOf([{ role: 'system', content: 'You are the code-executor subagent.' }, { role: 'user', content: 'Find the population of Lyon' }]));
    expect('miss' in r && r.miss).toContain('system prompt identity differs');
  });

  it('reports when nothing is loaded, and restricts to one cassette on request', () => {
    expect(new CassetteStore().lookup(conversationOf(mainConversation('', 2)))).toEqual({ miss: expect.stringContaining('No cassettes are loaded') });
    expect(store.lookup(conversationOf(mainConversation('', 2)), 'nope')).toEqual({ miss: expect.stringContaining("Cassette 'nope'") });
    expect('hit' in store.lookup(conversationOf(mainConversation('', 2)), 'lyon-population')).toBe(true);
  });

  it('prefers an exact identity over a wildcard, and the later-loaded cassette among equals', () => {
    const s = new CassetteStore();
    s.load([
      parseCassette({ id: 'any', agent: '*', user: 'hi', turns: [{ content: 'wildcard' }] }),
      parseCassette({ id: 'exact', agent: 'You are X.', user: 'hi', turns: [{ content: 'exact' }] }),
      parseCassette({ id: 'exact-2', agent: 'You are X.', user: 'hi', turns: [{ content: 'exact, newer' }] }),
    ]);
    const hit = (sys?: string) => {
      const r = s.lookup(conversationOf([...(sys ? [{ role: 'system', content: sys }] : []), { role: 'user', content: 'hi' }]));
      return 'hit' in r ? r.hit.response.content : r.miss;
    };
    expect(hit('You are X.')).toBe('exact, newer');
    expect(hit('You are Y.')).toBe('wildcard');
    expect(hit()).toBe('wildcard');
  });

  it('serves a script without an opening message to any opening, still checking its own earlier turns', () => {
    const s = new CassetteStore();
    s.load([parseCassette({ id: 'gold', turns: [{ tool_calls: [{ name: 'os_info', arguments: {} }] }, { content: 'Linux.' }] })]);
    const first = s.lookup(conversationOf([{ role: 'user', content: 'anything' }]));
    expect('hit' in first && first.hit.turn).toBe(0);
    const wrong = s.lookup(conversationOf([{ role: 'user', content: 'anything' }, { role: 'assistant', content: 'improvised' }]));
    expect('miss' in wrong).toBe(true);
  });
});
