/** The key every address that does not parse shares: such a header never comes from Cloudflare. */
const UNPARSABLE = "unparsable";

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEXTET = /^[0-9a-f]{1,4}$/;

/**
 * The address an IPv4 client is counted under (also when written IPv4-mapped), or the /64
 * network of an IPv6 client (one subscriber's prefix, in which it can pick any address it
 * likes). Never throws: anything that is not an address gets one shared key.
 */
export function clientKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (IPV4.test(address)) return address;
  const lastColon = address.lastIndexOf(":");
  if (address.includes(".")) {
    // An IPv4 address embedded in IPv6 notation (::ffff:192.0.2.1): the IPv4 part counts.
    const embedded = address.slice(lastColon + 1);
    return IPV4.test(embedded) && ipv6Groups(`${address.slice(0, lastColon + 1)}0:0`) ? embedded : UNPARSABLE;
  }
  const groups = ipv6Groups(address);
  if (!groups) return UNPARSABLE;
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, `::` expanded; null unless it is one. */
function ipv6Groups(address: string): string[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const [head = "", tail] = halves;
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const given = [...headGroups, ...tailGroups];
  if (!given.every((group) => HEXTET.test(group))) return null;
  if (tail === undefined) return given.length === 8 ? given : null;
  if (given.length > 7) return null;
  return [...headGroups, ...Array<string>(8 - given.length).fill("0"), ...tailGroups];
}
