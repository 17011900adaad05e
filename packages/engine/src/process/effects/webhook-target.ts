import { promises as dns, lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may go. A URL the server can reach is not a URL an admin may point it at: an
 * automation firing `POST http://169.254.169.254/…` or at the database's own port would turn
 * the CRM into a way into the private network (SSRF). So targets must be http(s) and every
 * address the host name resolves to (IPv4 and IPv6) must be public; loopback, private,
 * link-local, CGNAT, multicast and reserved ranges are refused, as are IPv4 addresses wrapped
 * in IPv6 (`::ffff:10.0.0.1`, NAT64, 6to4). `ATRIUM_WEBHOOK_ALLOW_HOSTS` (comma-separated host
 * names or addresses, e.g. `127.0.0.1,hooks.internal`) lets chosen ones through.
 *
 * The check runs twice: at apply (automations naming a refused URL, see `webhookTargetProblem`)
 * and at delivery, inside the connection's own DNS lookup (`checkedLookup`), so a name that
 * resolves to a public address when checked and to a private one when connecting (DNS
 * rebinding) is still refused.
 */
export interface WebhookTargetOptions {
  /** Host names or addresses let through although private (lower case). */
  allowHosts?: readonly string[];
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** `ATRIUM_WEBHOOK_ALLOW_HOSTS` as a list (trimmed, lower case, brackets of IPv6 removed). */
export function webhookAllowHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ATRIUM_WEBHOOK_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => bare(h.trim().toLowerCase()))
    .filter((h) => h !== '');
}

const bare = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/**
 * The IPv4 address an IPv6 one carries (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002:xxxx:xxxx::/48`), or undefined.
 */
function embeddedIpv4(address: string): string | undefined {
  const words = expand(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6))
    return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x2002) return v4(words[1] as number, words[2] as number);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a dotted IPv4 tail allowed). */
function expand(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = (dotted[1] as string).split('.').map(Number) as number[];
    text = `${text.slice(0, dotted.index)}${(((a as number) << 8) | (b as number)).toString(16)}:${(((c as number) << 8) | (d as number)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) =>
    s ? s.split(':').map((w) => Number.parseInt(w, 16)) : [];
  const h = part(head);
  const t = part(tail);
  const words = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : undefined;
}

/** True when `address` (an IP literal) is loopback, private, link-local or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return BLOCKED.check(inner, 'ipv4');
  return BLOCKED.check(address.replace(/%.*$/, ''), 'ipv6');
}

/** Why this address may not be connected to, or undefined when it may. */
function addressProblem(
  host: string,
  address: string,
  allow: readonly string[],
): string | undefined {
  if (!isPrivateAddress(address)) return undefined;
  if (allow.includes(host) || allow.includes(address.toLowerCase())) return undefined;
  return `${host} resolves to ${address}, a loopback, private or reserved address; webhooks may not target it (ATRIUM_WEBHOOK_ALLOW_HOSTS lets chosen hosts through)`;
}

/**
 * Why a webhook may not be sent to `url` (not http(s), credentials in it, a host that does not
 * resolve, or any of its addresses refused), or undefined when it may. Resolves the name.
 * @example if (await webhookTargetProblem(doc.url, { allowHosts: webhookAllowHosts() })) refuse()
 */
export async function webhookTargetProblem(
  url: string,
  options: WebhookTargetOptions = {},
): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'must be an http:// or https:// URL';
  if (parsed.username !== '' || parsed.password !== '')
    return 'must not carry a user name or password';
  const host = bare(parsed.hostname.toLowerCase());
  const allow = options.allowHosts ?? [];
  if (isIP(host)) return addressProblem(host, host, allow);
  let addresses: LookupAddress[];
  try {
    addresses = await dns.lookup(host, { all: true, verbatim: true });
  } catch (e) {
    return `${host} cannot be resolved (${(e as { code?: string }).code ?? 'error'})`;
  }
  if (addresses.length === 0) return `${host} has no address`;
  for (const a of addresses) {
    const problem = addressProblem(host, a.address, allow);
    if (problem) return problem;
  }
  return undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves the host and refuses the connection when any of
 * its addresses is refused: the addresses checked are the addresses connected to.
 */
export function checkedLookup(options: WebhookTargetOptions) {
  const allow = options.allowHosts ?? [];
  return (hostname: string, opts: { all?: boolean; family?: number }, cb: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const host = bare(hostname.toLowerCase());
      for (const a of addresses) {
        const problem = addressProblem(host, a.address, allow);
        if (problem) return cb(Object.assign(new Error(problem), { code: 'EREFUSEDTARGET' }), []);
      }
      const wanted = opts.family ? addresses.filter((a) => a.family === opts.family) : addresses;
      if (opts.all) return cb(null, wanted);
      const first = wanted[0];
      if (!first)
        return cb(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          [],
        );
      cb(null, first.address, first.family);
    });
  };
}
