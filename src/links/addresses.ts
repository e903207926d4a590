/**
 * Which IP addresses a link check may reach: only global unicast ones. Loopback, private,
 * shared (CGNAT), link-local (where cloud metadata services live: 169.254.169.254,
 * fd00:ec2::254), documentation, benchmarking, multicast and reserved ranges are refused,
 * and so is an IPv4 address hidden in an IPv6 one (mapped, NAT64, 6to4).
 */

type Range = readonly [network: bigint, prefix: number];

const V4_BITS = 32;
const V6_BITS = 128;

/** IPv4 ranges that are not global unicast (IANA special-purpose registry). */
const V4_REFUSED = ranges(v4Number, [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (CGNAT; Alibaba's metadata at 100.100.100.200)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local: cloud metadata services
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and the broadcast address
]);

/** IPv6 ranges refused outright; an embedded IPv4 address is judged by the IPv4 rules. */
const V6_REFUSED = ranges(v6Number, [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments (Teredo among them)
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (fd00:ec2::254 is AWS's metadata service)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
]);

const GLOBAL_UNICAST_V6: Range = [v6Number("2000::")!, 3];
const MAPPED_V4: Range = [v6Number("::ffff:0:0")!, 96];
const COMPATIBLE_V4: Range = [0n, 96];
const NAT64_V4: Range = [v6Number("64:ff9b::")!, 96];
const SIX_TO_FOUR: Range = [v6Number("2002::")!, 16];

/** True for an IPv4 (dotted) or IPv6 address, with or without brackets, that may be fetched. */
export function isPublicAddress(address: string): boolean {
  const v4 = v4Number(address);
  if (v4 !== null) return isPublicV4(v4);
  const v6 = v6Number(address.replace(/^\[|\]$/g, ""));
  return v6 !== null && isPublicV6(v6);
}

/** True when `host` (a URL's hostname) is an IP address rather than a name. */
export function isIpLiteral(host: string): boolean {
  return v4Number(host) !== null || host.startsWith("[");
}

function isPublicV4(address: bigint): boolean {
  return !V4_REFUSED.some((range) => within(address, range, V4_BITS));
}

function isPublicV6(address: bigint): boolean {
  for (const range of [MAPPED_V4, COMPATIBLE_V4, NAT64_V4]) {
    if (within(address, range, V6_BITS)) return isPublicV4(address & 0xffff_ffffn);
  }
  if (within(address, SIX_TO_FOUR, V6_BITS)) return isPublicV4((address >> 80n) & 0xffff_ffffn);
  return within(address, GLOBAL_UNICAST_V6, V6_BITS) && !V6_REFUSED.some((range) => within(address, range, V6_BITS));
}

function ranges(parse: (text: string) => bigint | null, list: readonly (readonly [string, number])[]): Range[] {
  return list.map(([address, prefix]) => [parse(address)!, prefix]);
}

function within(address: bigint, [network, prefix]: Range, bits: number): boolean {
  const shift = BigInt(bits - prefix);
  return address >> shift === network >> shift;
}

/** A dotted-quad IPv4 address as a number; null for anything else. */
function v4Number(text: string): bigint | null {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!parts) return null;
  const octets = parts.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return null;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/**
 * An IPv6 address as a number; null for anything else. The URL parser writes every form
 * (an embedded dotted quad, leading zeros, upper case) in one canonical way first.
 */
function v6Number(text: string): bigint | null {
  const canonical = URL.parse(`http://[${text}]/`)?.hostname.slice(1, -1);
  if (!canonical) return null;
  const [head = "", tail] = canonical.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  if (all.length !== 8) return null;
  return all.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}
