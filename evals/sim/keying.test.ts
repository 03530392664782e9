import { conversationKey, conversationOf, identityOf, normaliseText } from './keying.js';

describe('normaliseText', () => {
  it.each([
    ['file /tmp/lm-ws-a8Fz3/notes.md', 'file <tmp>/notes.md'],
    ['file /private/var/folders/x1/y2/T/lm-9Q/notes.md', 'file <tmp>/notes.md'],
    ['id 3f2b8c1e-9d4a-4e6b-8f00-123456789abc done', 'id <uuid> done'],
    ['at 2025-03-04T10:11:12.345Z ok', 'at <time> ok'],
    ['at 2025-03-04 10:11 ok', 'at <time> ok'],
    ['took 1532ms and 0.25 s', 'took <dur> and <dur>'],
    ['commit 9fceb02d0ae598e95dc970b74767f19372d61af8', 'commit <hex>'],
    ['epoch 1732233445123', 'epoch <num>'],
    ['  many\n\n spaces\t', 'many spaces'],
  ])('%s', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it('keeps what carries meaning: plain dates, small numbers, words', () => {
    expect(normaliseText('Weather in Paris on 2024-05-01 for 3 days, 5 seconds')).toBe('Weather in Paris on 2024-05-01 for 3 days, 5 seconds');
  });
});

describe('identityOf', () => {
  it('is the first non-empty line of the first system or developer message', () => {
    expect(identityOf([{ role: 'system', content: '\n  You are the web-researcher subagent.  \nBody' }, { role: 'user', content: 'x' }])).toBe(
      'You are the web-researcher subagent.',
    );
    expect(identityOf([{ role: 'developer', content: [{ type: 'text', text: 'Dev line\nmore' }] }])).toBe('Dev line');
    expect(identityOf([{ role: 'user', content: 'no system' }])).toBe('');
  });
});

describe('conversationOf', () => {
  const messages = (toolOutput: string) => [
    { role: 'system', content: 'You are X.\nbody' },
    { role: 'user', content: [{ type: 'text', text: 'List files' }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_directory', arguments: '{"dir_path":".","b":1}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: toolOutput },
    { role: 'assistant', content: 'Two files.' },
    { role: 'user', content: 'Thanks' },
  ];

  it('splits the opening, later events and the turn index; tool outputs stay out of the key', () => {
    const a = conversationOf(messages('a.md (created 2025-01-01T00:00:00Z) in /tmp/ws-1'));
    const b = conversationOf(messages('totally different output'));
    expect(a).toMatchObject({ identity: 'You are X.', firstUsers: ['List files'], turn: 2, toolResults: 1 });
    expect(a.events.map((e) => e.kind)).toEqual(['assistant', 'assistant', 'user']);
    expect(a.events[0]).toEqual({ kind: 'assistant', content: '', toolCalls: ['list_directory({"b":1,"dir_path":"."})'] });
    expect(conversationKey(a)).toBe(conversationKey(b));
  });

  it('changes the key when a user turn or a model turn changes', () => {
    const base = conversationKey(conversationOf(messages('x')));
    const otherUser = messages('x').map((m) => (m.content === 'Thanks' ? { ...m, content: 'Thanks!' } : m));
    const otherArgs = messages('x').map((m) =>
      m.tool_calls ? { ...m, tool_calls: [{ id: 'c', type: 'function', function: { name: 'list_directory', arguments: '{"dir_path":"src"}' } }] } : m,
    );
    expect(conversationKey(conversationOf(otherUser))).not.toBe(base);
    expect(conversationKey(conversationOf(otherArgs))).not.toBe(base);
  });
});
