import { checkGrounding, evidenceText } from './grounding.js';

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

  it('can refuse computed figures', () => {
    expect(checkGrounding('It has 480 staff.', EVIDENCE, { allowArithmetic: false }).grounded).toBe(false);
  });

  it('flattens tool outputs so JSON escaping never hides evidence', () => {
    expect(evidenceText({ error: false, temp_c: 14, nested: ['Light "rain"'] })).toBe('false\n14\nLight "rain"');
  });
});
