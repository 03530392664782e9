import { beforeEach, describe, expect, test } from 'vitest';
import { errorCode } from '../../errors.js';
import { checkAddress, checkUrl, classifyAddress, defaultResolver, isAllowListed, redactUrl, resolveAndCheck, type GuardPolicy, type Resolver } from './ssrf-guard.js';

const open: GuardPolicy = { allowHosts: [], denyHosts: [] };

// Every URL here must be refused by the decision alone, before any DNS or socket.
const hostile: [string, RegExp][] = [
  ['file:///etc/passwd', /scheme file:/],
  ['gopher://127.0.0.1:70/_x', /scheme gopher:/],
  ['ftp://example.com/pub', /scheme ftp:/],
  ['data:text/html,<script>1</script>', /scheme data:/],
  ['javascript:alert(1)', /scheme javascript:/],
  ['http://user:pass@example.com/', /credentials/],
  ['http://user@example.com/', /credentials/],
  ['http://127.0.0.1/', /loopback/],
  ['http://127.0.0.1./', /loopback/],
  ['http://127.255.255.254:8080/', /loopback/],
  ['http://0x7f000001/', /loopback/],
  ['http://017700000001/', /loopback/],
  ['http://2130706433/', /loopback/],
  ['http://127.1/', /loopback/],
  ['http://0x7f.1/', /loopback/],
  ['http://0177.0.0.1/', /loopback/],
  ['http://%31%32%37.0.0.1/', /loopback/],
  ['http://[::1]/', /loopback/],
  ['http://[::]/', /unspecified/],
  ['http://0.0.0.0/', /unspecified/],
  ['http://0/', /unspecified/],
  ['http://0.1.2.3/', /unspecified/],
  ['http://[::ffff:127.0.0.1]/', /ipv4Mapped\/loopback/],
  ['http://[::ffff:7f00:1]/', /ipv4Mapped\/loopback/],
  ['http://[::ffff:169.254.169.254]/', /ipv4Mapped\/linkLocal/],
  ['http://[::ffff:10.0.0.1]/', /ipv4Mapped\/private/],
  ['http://[::ffff:0:10.0.0.1]/', /rfc6145\/private/],
  ['http://[::127.0.0.1]/', /ipv4Compatible/],
  ['http://[::8.8.8.8]/', /ipv4Compatible/],
  ['http://[64:ff9b::127.0.0.1]/', /rfc6052\/loopback/],
  ['http://[64:ff9b:1::10.1.1.1]/', /rfc6052\/private/],
  ['http://[2002:c0a8:0101::1]/', /6to4\/private.*192\.168\.1\.1/],
  ['http://[2002:7f00:1::]/', /6to4\/loopback/],
  ['http://[2001::1]/', /teredo/],
  ['http://10.0.0.1/', /private/],
  ['http://172.16.0.1/', /private/],
  ['http://172.31.255.255/', /private/],
  ['http://192.168.1.1/', /private/],
  ['http://100.64.0.1/', /carrierGradeNat/],
  ['http://100.100.100.200/', /carrierGradeNat/],
  ['http://169.254.169.254/latest/meta-data', /linkLocal/],
  ['http://169.254.0.1/', /linkLocal/],
  ['http://224.0.0.1/', /multicast/],
  ['http://239.255.255.250/', /multicast/],
  ['http://255.255.255.255/', /broadcast/],
  ['http://192.0.2.1/', /reserved/],
  ['http://198.51.100.7/', /reserved/],
  ['http://203.0.113.9/', /reserved/],
  ['http://198.18.0.1/', /reserved/],
  ['http://240.0.0.1/', /reserved/],
  ['http://192.0.0.8/', /reserved/],
  ['http://[fd00:ec2::254]/', /uniqueLocal/],
  ['http://[fc00::1]/', /uniqueLocal/],
  ['http://[fe80::1]/', /linkLocal/],
  ['http://[fec0::1]/', /deprecatedSiteLocal/],
  ['http://[ff02::1]/', /multicast/],
  ['http://[2001:db8::1]/', /reserved/],
  ['http://[2001:2::1]/', /benchmarking|reserved/],
  ['http://[100::1]/', /discard/],
  ['http://localhost/', /internal name/],
  ['http://LOCALHOST:8080/', /internal name/],
  ['http://app.localhost/', /internal name/],
  ['http://metadata.google.internal/computeMetadata/v1/', /internal name/],
  ['http://metadata.google.internal./', /internal name/],
  ['http://metadata/', /internal name/],
  ['not a url', /not a valid URL/],
];

const benign = [
  'http://example.com/',
  'https://example.com:8443/path?q=1',
  'https://93.184.216.34/',
  'http://8.8.8.8/',
  'http://[2606:4700:4700::1111]/',
  'http://[::ffff:8.8.8.8]/',
  'http://[2002:0808:0808::1]/',
  'http://172.32.0.1/',
  'http://100.128.0.1/',
];

describe('checkUrl', () => {
  test('the table covers at least 30 hostile forms', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  test.each(hostile)('refuses %s', (url, why) => {
    const verdict = checkUrl(url, open);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toMatch(why);
  });

  test.each(benign)('allows %s', (url) => {
    expect(checkUrl(url, open).allowed).toBe(true);
  });

  test('judges the host as the WHATWG parser normalised it', () => {
    const verdict = checkUrl('http://0x7f.1:8080/', { allowHosts: ['127.0.0.1:8080'], denyHosts: [] });
    expect(verdict).toMatchObject({ allowed: true, host: '127.0.0.1', port: 8080, allowListed: true });
    expect(checkUrl('http://[::ffff:127.0.0.1]/', open)).toMatchObject({ allowed: false, reason: expect.stringContaining('embeds 127.0.0.1') });
  });

  test.each<[string, string[], boolean]>([
    ['http://127.0.0.1:8080/x', ['127.0.0.1:8080'], true],
    ['http://127.0.0.1:8081/x', ['127.0.0.1:8080'], false],
    ['http://127.0.0.1/', ['127.0.0.1:8080'], false],
    ['https://127.0.0.1/', ['127.0.0.1:443'], true],
    ['http://127.0.0.1:9999/', ['127.0.0.1'], true],
    ['http://localhost:3000/', ['localhost'], true],
    ['http://LocalHost.:3000/', ['localhost:3000'], true],
    ['http://[::1]:9000/', ['[::1]:9000'], true],
    ['http://[::1]:9000/', ['::1'], true],
    ['http://[::ffff:127.0.0.1]:80/', ['[::ffff:7f00:1]'], true],
    ['http://fixtures.test:8080/', ['fixtures.test:8080'], true],
    ['http://sub.fixtures.test:8080/', ['fixtures.test:8080'], false],
  ])('allow-list: %s with %j → opened=%s', (url, allowHosts, opened) => {
    const verdict = checkUrl(url, { allowHosts, denyHosts: [] });
    expect(verdict.allowed && verdict.allowListed).toBe(opened);
  });

  test.each<[string, string[]]>([
    ['https://evil.example/', ['evil.example']],
    ['https://a.b.evil.example/', ['evil.example']],
    ['https://a.evil.example/', ['*.evil.example']],
    ['https://EVIL.example./', ['evil.example']],
  ])('deny-list refuses %s (%j)', (url, denyHosts) => {
    expect(checkUrl(url, { allowHosts: [], denyHosts })).toMatchObject({ allowed: false, reason: expect.stringContaining('WEB_DENY_HOSTS') });
  });

  test('deny wins over allow', () => {
    expect(checkUrl('http://127.0.0.1:8080/', { allowHosts: ['127.0.0.1:8080'], denyHosts: ['127.0.0.1'] }).allowed).toBe(false);
  });

  test('credentials and scheme are refused even for allow-listed hosts', () => {
    const policy = { allowHosts: ['127.0.0.1:8080'], denyHosts: [] };
    expect(checkUrl('http://a:b@127.0.0.1:8080/', policy).allowed).toBe(false);
    expect(checkUrl('ftp://127.0.0.1:8080/', policy).allowed).toBe(false);
  });
});

describe('classifyAddress', () => {
  test.each<[string, boolean, string]>([
    ['8.8.8.8', true, 'unicast'],
    ['1.1.1.1', true, 'unicast'],
    ['127.0.0.1', false, 'loopback'],
    ['10.255.255.255', false, 'private'],
    ['169.254.169.254', false, 'linkLocal'],
    ['100.64.0.0', false, 'carrierGradeNat'],
    ['0.0.0.0', false, 'unspecified'],
    ['255.255.255.255', false, 'broadcast'],
    ['::1', false, 'loopback'],
    ['::', false, 'unspecified'],
    ['fd00:ec2::254', false, 'uniqueLocal'],
    ['fe80::abcd', false, 'linkLocal'],
    ['ff00::1', false, 'multicast'],
    ['::ffff:192.168.0.1', false, 'ipv4Mapped/private'],
    ['::ffff:1.1.1.1', true, 'ipv4Mapped/unicast'],
    ['64:ff9b::a9fe:a9fe', false, 'rfc6052/linkLocal'],
    ['2002:0a00:0001::', false, '6to4/private'],
    ['::7f00:1', false, 'ipv4Compatible'],
    ['2a00:1450:4001::200e', true, 'unicast'],
    ['not-an-ip', false, 'invalid'],
  ])('%s → public=%s (%s)', (ip, isPublic, range) => {
    expect(classifyAddress(ip)).toMatchObject({ public: isPublic, range });
  });

  test('checkAddress names the embedded address', () => {
    expect(checkAddress('::ffff:10.0.0.1')).toEqual({ allowed: false, reason: expect.stringContaining('embeds 10.0.0.1') });
    expect(checkAddress('9.9.9.9')).toEqual({ allowed: true });
  });
});

describe('resolveAndCheck (fake resolver: no real DNS)', () => {
  const zone: Record<string, string[]> = {
    'public.example': ['93.184.216.34', '2606:2800:220:1::1'],
    'internal.example': ['10.0.0.5'],
    'rebind.example': ['93.184.216.34', '127.0.0.1'],
    'mapped.example': ['::ffff:192.168.0.1'],
    'metadata.example': ['169.254.169.254'],
    'ula.example': ['fd00:ec2::254'],
    'fixtures.test': ['127.0.0.1'],
    'empty.example': [],
  };
  const calls: string[] = [];
  const resolve: Resolver = async (host) => {
    calls.push(host);
    return (zone[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  beforeEach(() => {
    calls.length = 0;
  });

  test.each(['internal.example', 'rebind.example', 'mapped.example', 'metadata.example', 'ula.example', 'fixtures.test', 'empty.example'])(
    'refuses %s',
    async (host) => {
      const err = await resolveAndCheck(host, 80, open, resolve).catch((e: unknown) => e);
      expect(errorCode(err)).toBe('AGT_ERR_URL_REFUSED');
    },
  );

  test('returns every checked address of a public name', async () => {
    const addrs = await resolveAndCheck('public.example', 443, open, resolve);
    expect(addrs.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
  });

  test('an allow-listed name may resolve to loopback, on its port only', async () => {
    const policy = { allowHosts: ['fixtures.test:8080'], denyHosts: [] };
    await expect(resolveAndCheck('fixtures.test', 8080, policy, resolve)).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(resolveAndCheck('fixtures.test', 8081, policy, resolve)).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
  });

  test('IP literals, internal and denied names never reach the resolver', async () => {
    await expect(resolveAndCheck('127.0.0.1', 80, open, resolve)).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    await expect(resolveAndCheck('localhost', 80, open, resolve)).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    await expect(resolveAndCheck('public.example', 80, { allowHosts: [], denyHosts: ['public.example'] }, resolve)).rejects.toMatchObject({
      code: 'AGT_ERR_URL_REFUSED',
    });
    await expect(resolveAndCheck('8.8.8.8', 80, open, resolve)).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
    expect(calls).toEqual([]);
  });
});

describe('helpers', () => {
  test('isAllowListed matches host:port and bare host entries', () => {
    expect(isAllowListed('127.0.0.1', 8080, { allowHosts: ['127.0.0.1:8080'], denyHosts: [] })).toBe(true);
    expect(isAllowListed('[::1]', 80, { allowHosts: ['[::1]'], denyHosts: [] })).toBe(true);
    expect(isAllowListed('example.com', 80, { allowHosts: [], denyHosts: [] })).toBe(false);
  });

  test('the default resolver answers from the system resolver (localhost: no network involved)', async () => {
    const answers = await defaultResolver('localhost');
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) expect(classifyAddress(a.address).range).toMatch(/loopback/);
  });

  test('redactUrl drops credentials and the query (API keys travel there)', () => {
    expect(redactUrl('https://u:p@api.example/v1?key=secret&q=x')).toBe('https://api.example/v1?…');
  });
});
