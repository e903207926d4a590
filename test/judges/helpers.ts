import { createHash } from "node:crypto";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Env } from "../../src/env";
import type { EntryRow } from "../../src/schemas/entry-row";
import { upsertStatements } from "../../src/store/entries-index";
import { captureLinkCodes, ORIGIN, registrantId, send, signUp, swagboxEnv, validSubmission, type LinkCodes } from "../helpers";

export const ORGANISER = "dev-organiser-token";
export const JUDGE = "dev-judge-token";

interface AdminSend {
  token?: string | null;
  method?: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** Configuration to run this request under instead of the test configuration. */
  vars?: Partial<Env>;
}

/** A judges' API call with a bearer token (the organiser's unless told otherwise). */
export function admin(path: string, options: AdminSend = {}): Promise<Response> {
  const token = options.token === undefined ? ORGANISER : options.token;
  return send(path, {
    method: options.method,
    json: options.json,
    acceptJson: true,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    vars: options.vars,
  });
}

/**
 * ADMIN_TOKENS for a panel of people (each one's token is `token-<name>`), beside the
 * development tokens, to pass as `vars`; `token(name)` is what that person sends.
 */
export function panel(people: Record<string, "judge" | "organiser">, more: Partial<Env> = {}) {
  const token = (name: string) => `token-${name.toLowerCase().replace(/\W+/g, "-")}`;
  const listed = Object.entries(people).map(([name, role]) => ({ name, role, sha256: createHash("sha256").update(token(name)).digest("hex") }));
  const development = JSON.parse(swagboxEnv.ADMIN_TOKENS ?? "[]") as unknown[];
  return { vars: { ...more, ADMIN_TOKENS: JSON.stringify([...development, ...listed]) } satisfies Partial<Env>, token };
}

/**
 * Puts `count` submitted entries straight into the judges' index (ids of real Durable
 * Objects, none of them created), named `<prefix>-<i>` at `domain`; returns their ids.
 */
export async function seedEntries(count: number, prefix: string, domain = "example.com", extra: Partial<EntryRow> = {}): Promise<string[]> {
  const start = Date.now();
  const rows = Array.from({ length: count }, (_, i): EntryRow => {
    const email = `${prefix}-${i}@${domain}`;
    return {
      id: registrantId(email), version: 1, email, firstname: `${prefix}first${i}`, lastname: `${prefix}last${i}`, status: "submitted",
      registered_at: start + i, submitted_at: start + i, amended_at: null, submission_version: 1, title: `${prefix} project ${i}`,
      description: `What ${prefix} ${i} built`, repo_url: null, demo_url: null, products: "[]", slot: null, waitlist_position: null,
      shipping_status: null, hold_expires_at: null, shipping_address: null, tracking_url: null, mailbox: email, disqualified_at: null,
      address_review: null, address_peers: "[]", provisional_until: null, showcase: 0, ...extra,
    };
  });
  for (let i = 0; i < rows.length; i += 50) await env.DB.batch(upsertStatements(env.DB, rows.slice(i, i + 50)));
  return rows.map((row) => row.id);
}

/**
 * Signs in through POST /admin/login with `token` and returns the `cookie` header value a
 * browser would send back.
 */
export async function signIn(token: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const response = await send("/admin/login", { form: { token }, headers: { origin: options.origin ?? ORIGIN, ...options.headers } });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith("swagbox_session="));
  if (!cookie) throw new Error("sign-in set no session cookie");
  return cookie.split(";")[0]!;
}

let codes: LinkCodes | null = null;

/** Signs up (and optionally submits for) an entrant; returns their registrant id and link code. */
export async function entrant(email: string, submission?: Record<string, string | string[]>, firstname = "Ada") {
  // A test's afterEach may have restored the spy: capture again then.
  if (!codes || !vi.isMockFunction(env.CHANGES_QUEUE.sendBatch)) codes = captureLinkCodes();
  await signUp(email, { firstname });
  const code = await codes.get(email);
  if (submission) {
    const response = await send("/submit", { acceptJson: true, form: validSubmission(code, submission) });
    if (response.status !== 201) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  }
  return { id: registrantId(email), code };
}

/** The shipping link code of the newest prize or reminder email to `email`. */
export function shippingCode(email: string, template: "prize_won" | "shipping_reminder" = "prize_won", timeoutMs?: number): Promise<string> {
  if (!codes) throw new Error("no entrant was created through entrant()");
  return codes.get(`${template}:${email}`, timeoutMs);
}

export function forgetCode(key: string) {
  codes?.forget(key);
}

/** Waits until the entry's index row satisfies `ready` (the projection is asynchronous). */
export function indexed(id: string, ready: (row: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000) {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare("SELECT * FROM entries WHERE id = ?").bind(id).first();
      if (!row || !ready(row)) throw new Error(`entry ${id} not indexed as expected: ${JSON.stringify(row)}`);
      return row;
    },
    { timeout: timeoutMs, interval: 20 },
  );
}

/** Waits until the task run `id` is done, through the judges' API, and returns it. */
export async function finished(id: string, timeoutMs = 20_000): Promise<{ processed: number; failed: number; total: number }> {
  return vi.waitFor(
    async () => {
      const { task } = (await (await admin(`/admin/api/tasks/${id}`)).json()) as { task: { status: string; processed: number; failed: number; total: number } };
      if (task.status !== "done") throw new Error(`task ${id} is ${task.status}`);
      return task;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
