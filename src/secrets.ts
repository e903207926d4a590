/**
 * Secrets handed out in links: 32 random bytes, base64url. Only their SHA-256 is stored,
 * and a presented secret is compared with it in constant time.
 */
export function generateSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)).buffer);
}

export async function hashSecret(secret: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
}

export function sameHash(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

/** Bytes as lower-case hex, two digits a byte. */
export function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const signingKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(secret: string): Promise<CryptoKey> {
  let key = signingKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    signingKeys.set(secret, key);
  }
  return key;
}

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** HMAC-SHA-256 of `message` under `secret`, base64url: a link that proves Swagbox made it, with no login. */
export async function sign(secret: string, message: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", await signingKey(secret), new TextEncoder().encode(message)));
}

/** Whether `signature` is `message`'s under `secret`; checked in constant time (Web Crypto's verify). */
export async function verifySignature(secret: string, message: string, signature: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
  const bytes = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));
  return crypto.subtle.verify("HMAC", await signingKey(secret), bytes, new TextEncoder().encode(message));
}
