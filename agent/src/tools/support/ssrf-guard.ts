import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { Config } from '../../config.js';
import { UrlRefusedError } from '../../errors.js';

/**
 * The SSRF guard's decisions, kept pure so every hostile form can be tested without a socket.
 *
 * Order of checks for a URL: scheme (http/https only) → no credentials → `WEB_DENY_HOSTS` (always wins)
 * → `WEB_ALLOW_HOSTS` (opens that host, even on loopback: the eval fixtures serve from 127.0.0.1)
 * → names that are internal by definition (localhost, cloud metadata) → the address itself, for IP
 * literals here and for every DNS answer in the HTTP client's connector (which then pins the socket to
 * the checked address, so a rebinding DNS server cannot swap it).
 *
 * Allow entries are `host` (any port) or `host:port` (that port only), matched exactly, case-insensitively;
 * IPv6 entries are written in brackets (`[::1]:8080`). Deny entries match the host and its subdomains.
 */
export interface GuardPolicy {
  readonly allowHosts: readonly string[];
  readonly denyHosts: readonly string[];
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface AddressClass {
  /** True only for globally routable unicast addresses. */
  readonly public: boolean;
  /** ipaddr.js range name (`loopback`, `private`, `uniqueLocal`…), or ours for IPv4-compatible forms. */
  readonly range: string;
  /** The IPv4 address a mapped/translated/6to4 IPv6 address carries, which is what was really judged. */
  readonly embedded?: string;
}

export interface UrlCheck {
  readonly url: URL;
  /** Lower-case host without brackets or trailing dot: what the connector will see. */
  readonly host: string;
  readonly port: number;
  readonly allowListed: boolean;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a DNS name to every address it has; injectable so tests never touch real DNS. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

// Names that reach loopback or a cloud metadata service whatever DNS says.
const INTERNAL_NAMES = ['localhost', 'metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal'];

export function guardPolicy(config: Config): GuardPolicy {
  return { allowHosts: config.web.allowHosts, denyHosts: config.web.denyHosts };
}

export const defaultResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function parseEntry(entry: string): { host: string; port?: number } {
  const e = entry.trim().toLowerCase();
  if (e.startsWith('[')) {
    const end = e.indexOf(']');
    const rest = e.slice(end + 1);
    return { host: e.slice(1, end), port: rest.startsWith(':') ? Number(rest.slice(1)) : undefined };
  }
  // A bare IPv6 address has several colons and no port.
  if (e.split(':').length > 2) return { host: e };
  const [host = '', port] = e.split(':');
  return { host: host.replace(/\.$/, ''), port: port ? Number(port) : undefined };
}

function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  // Entries may spell an address differently from the URL parser (::ffff:127.0.0.1 vs ::ffff:7f00:1).
  return ipaddr.isValid(a) && ipaddr.isValid(b) && ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}

/** True when `WEB_ALLOW_HOSTS` opens this host (and port) explicitly. */
export function isAllowListed(host: string, port: number, policy: GuardPolicy): boolean {
  const h = normaliseHost(host);
  return policy.allowHosts.some((entry) => {
    const e = parseEntry(entry);
    return sameHost(e.host, h) && (e.port === undefined || e.port === port);
  });
}

function isDenyListed(host: string, policy: GuardPolicy): boolean {
  const h = normaliseHost(host);
  return policy.denyHosts.some((entry) => {
    const e = parseEntry(entry).host.replace(/^\*\./, '');
    return e !== '' && (sameHost(e, h) || h.endsWith(`.${e}`));
  });
}

function isInternalName(host: string): boolean {
  return INTERNAL_NAMES.some((n) => host === n || host.endsWith(`.${n}`)) || host.endsWith('.localhost');
}

function classifyV4(addr: ipaddr.IPv4): AddressClass {
  const range = addr.range();
  return { public: range === 'unicast', range };
}

function embeddedV4(bytes: number[], offset: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(offset, offset + 4));
}

/**
 * Classifies one IP address. Only plain global unicast is public; IPv6 forms that carry an IPv4 address
 * (mapped, translated, NAT64, 6to4, IPv4-compatible) are judged by the IPv4 address inside.
 */
export function classifyAddress(ip: string): AddressClass {
  if (!ipaddr.isValid(ip)) return { public: false, range: 'invalid' };
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv4') return classifyV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const bytes = v6.toByteArray();
  const withEmbedded = (v4: ipaddr.IPv4): AddressClass => {
    const inner = classifyV4(v4);
    return { public: inner.public, range: `${range}/${inner.range}`, embedded: v4.toString() };
  };
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return withEmbedded(embeddedV4(bytes, 12));
    case '6to4':
      return withEmbedded(embeddedV4(bytes, 2));
    case 'unicast':
      // IPv4-compatible ::a.b.c.d (deprecated, RFC 4291): some stacks still route it to the IPv4 address.
      if (bytes.slice(0, 12).every((b) => b === 0)) return { ...withEmbedded(embeddedV4(bytes, 12)), public: false, range: 'ipv4Compatible' };
      return { public: true, range };
    default:
      return { public: false, range };
  }
}

/** The guard's verdict on one address the connector is about to use. */
export function checkAddress(ip: string): Decision {
  const c = classifyAddress(ip);
  if (c.public) return { allowed: true };
  const inner = c.embedded ? ` (embeds ${c.embedded})` : '';
  return { allowed: false, reason: `address ${ip} is ${c.range}${inner}, not a public address` };
}

/**
 * Parses and judges a URL before any connection: scheme, credentials, host lists, internal names and,
 * when the host is an IP literal, the address. DNS names are judged again after resolution.
 */
export function checkUrl(raw: string | URL, policy: GuardPolicy): ({ allowed: true } & UrlCheck) | { allowed: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: `not a valid URL: ${String(raw)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { allowed: false, reason: `scheme ${url.protocol} is not http or https` };
  if (url.username || url.password) return { allowed: false, reason: 'credentials in the URL are not allowed' };
  const host = normaliseHost(url.hostname);
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  if (!host) return { allowed: false, reason: 'URL has no host' };
  if (isDenyListed(host, policy)) return { allowed: false, reason: `host ${host} is in WEB_DENY_HOSTS` };
  if (isAllowListed(host, port, policy)) return { allowed: true, url, host, port, allowListed: true };
  if (isInternalName(host)) return { allowed: false, reason: `host ${host} is an internal name` };
  if (ipaddr.isValid(host)) {
    const verdict = checkAddress(host);
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true, url, host, port, allowListed: false };
}

/** Like checkUrl, but throws AGT_ERR_URL_REFUSED. */
export function assertUrlAllowed(raw: string | URL, policy: GuardPolicy): UrlCheck {
  const verdict = checkUrl(raw, policy);
  if (!verdict.allowed) throw new UrlRefusedError(`${redactUrl(raw)}: ${verdict.reason}`);
  return verdict;
}

/**
 * Resolves a host and checks EVERY answer (one private answer refuses the lot: a rebinding server may
 * hand out a mix). Returns the addresses to connect to; IP literals skip DNS. Throws AGT_ERR_URL_REFUSED.
 */
export async function resolveAndCheck(host: string, port: number, policy: GuardPolicy, resolve: Resolver = defaultResolver): Promise<readonly ResolvedAddress[]> {
  const h = normaliseHost(host);
  if (isDenyListed(h, policy)) throw new UrlRefusedError(`host ${h} is in WEB_DENY_HOSTS`);
  const allowListed = isAllowListed(h, port, policy);
  if (!allowListed && isInternalName(h)) throw new UrlRefusedError(`host ${h} is an internal name`);
  const answers: readonly ResolvedAddress[] = ipaddr.isValid(h) ? [{ address: h, family: ipaddr.parse(h).kind() === 'ipv6' ? 6 : 4 }] : await resolve(h);
  if (answers.length === 0) throw new UrlRefusedError(`host ${h} has no addresses`);
  if (allowListed) return answers;
  for (const a of answers) {
    const verdict = checkAddress(a.address);
    if (!verdict.allowed) throw new UrlRefusedError(`host ${h} resolves to ${verdict.reason}`);
  }
  return answers;
}

/** The URL with any credentials and query string removed, for messages and logs (queries carry API keys). */
export function redactUrl(raw: string | URL): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return String(raw).slice(0, 200);
  }
}
