import { CLAIM_KINDS, checkGrounding, evidenceText } from './grounding.js';

const EVIDENCE = [
  'Acme Robotics was founded in 2011 in Lyon by Claire Dubois. It employs 240 people.',
  'Version 2.4.1 was released on 2024-03-18. Record: 2:01:09.',
  'src/cart.js:1: export const TAX_RATE = 0.2;',
  'https://127.0.0.1:8443/acme/about.html',
];

describe('checkGrounding', () => {
  it.each([
    ['Acme Robotics was founded in 2011 by Claire Dubois.', true, []],
    ['Acme employs 240 people (https://127.0.0.1:8443/acme/about.html).', true, []],
    ['Version 2.4.1 shipped on 2024-03-18 with a 2:01:09 record.', true, []],
    ['TAX_RATE is 0.2 in src/cart.js.', true, []],
    ['Acme has 480 staff, twice 240.', true, []], // 480 = 240 × 2 is one arithmetic step from evidence figures
    ['Acme was founded in 2009.', false, ['number 2009']],
    ['Acme was founded by Marcus Lee.', false, ['name Marcus Lee']],
    ['See https://example.com/acme for details.', false, ['url https://example.com/acme']],
    ['The file says "robots are forever".', false, ['quote robots are forever']],
    ['TAX_RATE is defined in src/orders.js.', false, ['path src/orders.js']],
    ['Version 2.5.0 was released.', false, ['number 2.5.0']],
    ['It has 1,234,567 robots.', false, ['number 1,234,567']],
    ['Nothing here makes a claim.', true, []],
  ] as const)('%s → grounded %s', (answer, grounded, unsupported) => {
    const r = checkGrounding(answer, EVIDENCE);
    expect(r.grounded).toBe(grounded);
    expect(r.unsupported.map((c) => `${c.kind} ${c.text}`)).toEqual(unsupported);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
  });

  // Issue 16: the false-alarm classes a lexical check used to raise on consistent answers, each beside a
  // wrong claim of the same shape that must still be flagged.
  const MATCH = [
    'West Ham United have signed Argentine striker Tomas Ribera from Velez Sarsfield on a three-year deal. He spent the 2007-2008 season at Lazio.',
    'Hammers manager Sam Allardyce said: "He is a player with great technique." The Millers finished 21st, seven points clear. Serena Okafor won her seventh title.',
    "China's exports rose 8.5%. The Monetary Policy Committee voted 6-3. Researchers at the University of Leeds led the study.",
    'region,q1,q4\nEast,200,230\nSouth,90,88',
  ];
  it.each([
    ['sentence starts, titles and "Note"', 'The Hammers signed Ribera. Note that Dr Tomas Ribera was born in 1987.', ['number 1987']],
    ['"The University" and an acronym of an evidence name', 'The University says the MPC split six to three.', []],
    ['demonym and adjective forms', 'Chinese exports rose 8.5%; the Argentina striker joined the Londoners… no: West Ham.', ['name Londoners']],
    ['shorter and longer forms of an evidence name', 'West Ham signed him; West Ham United confirmed it.', []],
    ['punctuation inside the quote marks', 'Allardyce called him "a player with great technique."', []],
    ['a whole answer wrapped in quotes', '"The Millers finished 21st, seven points clear."', []],
    ['a season written another way', 'Ribera spent 2007–08 at Lazio.', []],
    ['list numbering', '1. East: 230\n2. South: 88', []],
    ['figures the evidence states in words', 'Okafor won a 7th title; Ribera signed for 3 years.', []],
    ['a count the answer lists', 'Two regions: East and South.', []],
    ['wrong number word in the answer', 'The five-time champion Serena Okafor.', ['number five']],
    ['wrong ordinal', 'Serena Okafor won her eighth title.', ['number eighth']],
    ['wrong demonym', 'Brazilian striker Tomas Ribera joined West Ham.', ['name Brazilian']],
    ['wrong first name beside a true surname', 'Marco Ribera joined West Ham.', ['name Marco Ribera']],
    ['wrong word inside a loose quote', 'Allardyce called him "a player with great pace."', ['quote a player with great pace.']],
    ['wrong season', 'Ribera spent 2008–09 at Lazio.', ['number 2009']],
    ['a wrong figure in a CSV row', 'East sold 250 in Q4.', ['number 250']],
    ['arithmetic shown on a wrong operand', 'East: 200 + 31 = 231.', ['number 31', 'number 231']],
  ] as const)('%s', (_label, answer, unsupported) => {
    expect(checkGrounding(answer, MATCH).unsupported.map((c) => `${c.kind} ${c.text}`)).toEqual(unsupported);
  });

  it('lists every claim kind it can report (the kind label of the unsupported-claims metric)', () => {
    expect(CLAIM_KINDS).toEqual(['number', 'quote', 'name', 'url', 'path']);
  });

  it('stays fast on a megabyte of tool output built to make the patterns backtrack', () => {
    const evidence = [
      'Aa '.repeat(120_000),
      'East,'.concat('200,'.repeat(40_000)),
      `${'1'.repeat(100_000)} ${'a.'.repeat(50_000)} ${' '.repeat(100_000)}Monetary`,
      'twenty-'.repeat(20_000),
    ];
    const answer = `${'Aa Bb '.repeat(500)} ${'1-'.repeat(2000)}= 3 "${'x '.repeat(90)}" twenty ${'seven'.repeat(200)}`;
    const started = performance.now();
    checkGrounding(answer, evidence);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('accepts a computed figure only where the answer says it computed one', () => {
    const evidence = ['He scored 31 goals in 2022 and 13 in 2023.'];
    expect(checkGrounding('He scored 18 goals in 2023.', evidence).unsupported.map((c) => c.text)).toEqual(['18']);
    expect(checkGrounding('He scored 18 more goals in 2022 than in 2023.', evidence).grounded).toBe(true);
    expect(checkGrounding('31 − 13 = 18.', evidence).grounded).toBe(true);
  });

  it('can refuse computed figures', () => {
    expect(checkGrounding('It has 480 staff.', EVIDENCE, { allowArithmetic: false }).grounded).toBe(false);
  });

  it('flattens tool outputs so JSON escaping never hides evidence', () => {
    expect(evidenceText({ error: false, temp_c: 14, nested: ['Light "rain"'] })).toBe('false\n14\nLight "rain"');
  });
});
