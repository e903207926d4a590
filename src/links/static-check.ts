/**
 * The checks that need no network and run on every link, before anything is fetched and on
 * every redirect: a link that fails one is `refused`, and nothing is ever sent to it.
 */
import { isIpLiteral, isPublicAddress } from "./addresses";

/** Names that never mean a public host: local, internal and reverse-lookup zones. */
const LOCAL_SUFFIXES = [".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home", ".corp", ".arpa", ".onion"];

/**
 * Why `text` may not be fetched, or null when it may: the scheme is not http(s), it
 * carries a user name or password, its host is an IP address outside the global unicast
 * ranges, or its host is a name that cannot be public (`localhost`, a single label such as
 * `metadata`, or a local or internal zone such as `metadata.google.internal`).
 */
export function refusal(text: string): string | null {
  const url = URL.parse(text);
  if (!url) return "not a URL";
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the ${url.protocol.replace(/:$/, "")}: scheme is not fetched`;
  if (url.username !== "" || url.password !== "") return "the URL carries credentials";
  const host = url.hostname.replace(/\.$/, "");
  if (host === "") return "the URL has no host";
  if (isIpLiteral(host)) return isPublicAddress(host) ? null : "the host is a private, loopback, link-local or reserved address";
  if (host === "localhost" || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return "the host is a local or internal name";
  if (!host.includes(".")) return "the host is a single-label name, never a public one";
  return null;
}
