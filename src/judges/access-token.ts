/**
 * Cloudflare Access application tokens (the `Cf-Access-Jwt-Assertion` header), verified with
 * WebCrypto exactly as jose's `jwtVerify` with a remote key set verified them before
 * (docs/decisions.md: "Access tokens without jose"): a compact JWS signed RS256 (RSA keys of
 * 2048 bits or more) by the key of the team's published set that its `kid` names, with an
 * expiry, an issue time no more than 31 days ago and not in the future, a `nbf` if any that
 * has passed (a minute of clock skew allowed each way), the team as issuer and the
 * application's audience.
 */

/** What Access asserts; `email` is the identity Swagbox reads. */
export type AccessClaims = Record<string, unknown>;

/** jose's defaults for a remote key set: how long a set is used, and how soon an unknown `kid` may fetch it again. */
const KEYS_MAX_AGE_MS = 600_000;
const REFETCH_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;
const CLOCK_TOLERANCE_S = 60;
const MAX_TOKEN_AGE_S = 31 * 86_400;
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

interface KeySet {
  keys: JsonWebKey[];
  /** Which fetch brought it: a slower, older fetch does not replace a newer set. */
  sequence: number;
  fetchedAt: number;
  /** Each key imported once, on first use. */
  imported: Map<JsonWebKey, Promise<CryptoKey | null>>;
}

const keySets = new Map<string, KeySet>();
let fetches = 0;

/**
 * The claims of `token` when it is a valid Access token of `teamDomain` for `audience`,
 * else null (never throws: a token that does not verify, or a key set that cannot be
 * fetched, is no identity).
 */
export async function verifyAccessToken(token: string, teamDomain: string, audience: string): Promise<AccessClaims | null> {
  try {
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts as [string, string, string];
    const protectedHeader = jsonObject(header);
    if (!protectedHeader || protectedHeader.alg !== "RS256" || !plainPayload(protectedHeader)) return null;
    const kid = protectedHeader.kid;
    // Access names the key; without a kid, jose would try the set's only key.
    if (typeof kid !== "string" || !kid) return null;
    const signed = new TextEncoder().encode(`${header}.${payload}`);
    const bytes = base64url(signature);
    if (!bytes) return null;
    let verified = false;
    for (const key of await keysFor(teamDomain, kid)) verified ||= await crypto.subtle.verify(RSA, key, bytes, signed);
    if (!verified) return null;
    const claims = jsonObject(payload);
    return claims && validClaims(claims, teamDomain, audience, Math.floor(Date.now() / 1000)) ? claims : null;
  } catch {
    return null;
  }
}

/** No critical header extension but the one jose understood: `b64`, and only as true (a payload left unencoded is refused). */
function plainPayload(header: AccessClaims): boolean {
  const { crit, b64 } = header;
  return crit === undefined || (Array.isArray(crit) && crit.length === 1 && crit[0] === "b64" && b64 === true);
}

function validClaims(claims: AccessClaims, issuer: string, audience: string, now: number): boolean {
  const { exp, iat, nbf, iss, aud } = claims;
  if (typeof exp !== "number" || typeof iat !== "number" || (nbf !== undefined && typeof nbf !== "number")) return false;
  if (iss !== issuer) return false;
  if (typeof aud === "string" ? aud !== audience : !Array.isArray(aud) || !aud.includes(audience)) return false;
  if (nbf !== undefined && nbf > now + CLOCK_TOLERANCE_S) return false;
  if (exp <= now - CLOCK_TOLERANCE_S) return false;
  const age = now - iat;
  return age - CLOCK_TOLERANCE_S <= MAX_TOKEN_AGE_S && age >= -CLOCK_TOLERANCE_S;
}

/**
 * The team's keys that may have signed a token naming `kid`: from its key set, fetched when
 * there is none younger than ten minutes, and again for a `kid` it lacks unless it was
 * fetched in the last 30 seconds (so a rotated key is found, and unknown ids cannot make
 * every request fetch).
 */
async function keysFor(teamDomain: string, kid: string): Promise<CryptoKey[]> {
  let set = keySets.get(teamDomain);
  if (!set || Date.now() >= set.fetchedAt + KEYS_MAX_AGE_MS) set = await fetchKeySet(teamDomain);
  let candidates = set.keys.filter((jwk) => usable(jwk, kid));
  if (!candidates.length && Date.now() >= set.fetchedAt + REFETCH_COOLDOWN_MS) {
    set = await fetchKeySet(teamDomain);
    candidates = set.keys.filter((jwk) => usable(jwk, kid));
  }
  const imported = await Promise.all(candidates.map((jwk) => importOnce(set, jwk)));
  return imported.filter((key): key is CryptoKey => key !== null);
}

/** jose's test of a set's key for an RS256 token naming `kid`. */
function usable(jwk: JsonWebKey & { kid?: unknown; use?: unknown }, kid: string): boolean {
  const ops = jwk.key_ops;
  return (
    jwk.kty === "RSA" &&
    jwk.kid === kid &&
    (jwk.alg === undefined || jwk.alg === "RS256") &&
    (jwk.use === undefined || jwk.use === "sig") &&
    (ops === undefined || (Array.isArray(ops) && ops.includes("verify")))
  );
}

function importOnce(set: KeySet, jwk: JsonWebKey): Promise<CryptoKey | null> {
  let key = set.imported.get(jwk);
  if (!key) {
    const { kty, n, e } = jwk;
    key = crypto.subtle
      .importKey("jwk", { kty, n, e }, RSA, false, ["verify"])
      .then((imported) => ((imported.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength >= 2048 ? imported : null))
      .catch(() => null);
    set.imported.set(jwk, key);
  }
  return key;
}

/** The team's key set from `<team>/cdn-cgi/access/certs` (no redirect followed, 5 s at most); throws if there is none. */
async function fetchKeySet(teamDomain: string): Promise<KeySet> {
  const sequence = ++fetches;
  const response = await fetch(`${teamDomain}/cdn-cgi/access/certs`, {
    redirect: "manual",
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    headers: { accept: "application/json, application/jwk-set+json" },
  });
  if (response.status !== 200) throw new Error(`the Access key set answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body?.keys) || !body.keys.every((key) => typeof key === "object" && key !== null && !Array.isArray(key))) {
    throw new Error("the Access key set is malformed");
  }
  const set: KeySet = { keys: body.keys as JsonWebKey[], sequence, fetchedAt: Date.now(), imported: new Map() };
  if ((keySets.get(teamDomain)?.sequence ?? 0) < sequence) keySets.set(teamDomain, set);
  return set;
}

/** A JSON object from a base64url part, or null. */
function jsonObject(part: string): AccessClaims | null {
  const bytes = base64url(part);
  if (!bytes) return null;
  const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as AccessClaims) : null;
}

/** The bytes of unpadded base64url text, or null for anything else. */
function base64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));
}
