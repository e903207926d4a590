import type { Config } from "../config";
import { hashSecret, sameHash } from "../secrets";
import { verifyAccessToken } from "./access-token";
import { sessionJudge } from "./sessions";
import { AdminToken, type Judge } from "../schemas/judges";



/**
 * The dashboard's session cookie: `__Host-` on https, which binds it to this host and path
 * `/` and makes it Secure, so neither a sibling subdomain nor plain http can plant or
 * replace it. Browsers refuse that prefix without https, so local development (http) uses
 * the bare name; each scheme reads only its own.
 */
export function sessionCookieName(request: Request): string {
  return new URL(request.url).protocol === "https:" ? "__Host-swagbox_session" : "swagbox_session";
}


/**
 * The caller's identity from, in order: an `Authorization: Bearer` token, a valid
 * Cloudflare Access JWT, or the dashboard's session cookie (a session held in D1). Access
 * comes before the cookie because a request that passed Access is that identity, whatever
 * cookie the browser still carries. Null when none is valid; never throws on a header.
 */
export async function authenticate(request: Request, config: Config, db: D1Database): Promise<Judge | null> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (bearer) return fromToken(bearer, config, "token");
  const assertion = request.headers.get("cf-access-jwt-assertion");
  const viaAccess = assertion && config.access ? await fromAccess(assertion, config.access, config.adminOrganisers) : null;
  if (viaAccess) return viaAccess;
  const session = readCookie(request, sessionCookieName(request));
  if (session) return sessionJudge(db, config, session);
  return null;
}

/** The judge a bearer token stands for. */
async function fromToken(token: string, config: Config, via: Judge["via"]): Promise<Judge | null> {
  const found = await findToken(token, config);
  return found ? { name: found.name, role: found.role, via } : null;
}

/** The token's entry in ADMIN_TOKENS, compared by hash in constant time. */
export async function findToken(token: string, config: Config): Promise<AdminToken | null> {
  const presented = await hashSecret(token);
  let found: AdminToken | null = null;
  // Every entry is compared, so the time taken does not say which one matched.
  for (const entry of config.adminTokens) {
    if (sameHash(presented, hexToBytes(entry.sha256)) && !found) found = entry;
  }
  return found;
}

async function fromAccess(
  assertion: string,
  access: NonNullable<Config["access"]>,
  organisers: readonly string[],
): Promise<Judge | null> {
  const claims = await verifyAccessToken(assertion, access.teamDomain, access.audience);
  const email = typeof claims?.email === "string" ? claims.email.trim().toLowerCase() : null;
  if (!email) return null;
  return { name: email, role: organisers.includes(email) ? "organiser" : "judge", via: "access" };
}

/** A cookie's value as sent (session secrets need no decoding), or null when it is absent. */
export function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

function hexToBytes(hex: string): ArrayBuffer {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes.buffer;
}
