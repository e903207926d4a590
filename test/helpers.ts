import { createHash } from "node:crypto";
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import worker from "../src/index";
import * as v from "valibot";
import type { Env } from "../src/env";
import { QueueMessage } from "../src/messages/topics";
import type { EmailJob } from "../src/schemas/email-job";

import { loadConfig } from "../src/config";
import { canonicalMailbox } from "../src/schemas/mailbox";

export const ORIGIN = "http://localhost:8787";

/** The runtime's bindings seen as Swagbox sees them: with every configuration variable, set or not. */
export const swagboxEnv: Env = env;

/** A queue message a spy caught, checked against the message contract. */
export function queued(body: unknown): QueueMessage {
  return v.parse(QueueMessage, body);
}

/** The email jobs a caught queue message carries (a change's; none for other topics). */
export function queuedEmails(body: unknown): EmailJob[] {
  const message = queued(body);
  return message.topic === "change" ? message.body.emails : [];
}

/** Email jobs as the changes queue carries them, each in a change of its own. */
export function emailChanges(jobs: unknown[]): { topic: "change"; body: unknown }[] {
  return jobs.map((job) => ({ topic: "change", body: { emails: [job], rows: [] } }));
}

/** Index rows as the changes queue carries them, each in a change of its own. */
export function rowChanges(rows: unknown[]): { topic: "change"; body: unknown }[] {
  return rows.map((row) => ({ topic: "change", body: { emails: [], rows: [row] } }));
}

type FormValues = Record<string, string | string[]>;

export function formBody(values: FormValues): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return body;
}

interface Send {
  method?: string;
  /** A form (sent form-encoded) or any JSON value (sent as JSON). */
  form?: FormValues;
  json?: unknown;
  /** Ask for JSON rather than HTML. */
  acceptJson?: boolean;
  headers?: Record<string, string>;
  /** Configuration to run this request under instead of the test configuration. */
  vars?: Partial<Env>;
  /** What Cloudflare's edge would say about the visitor (request.cf). */
  cf?: Partial<IncomingRequestCfProperties>;
}

const envs = new WeakMap<Partial<Env>, Env>();

/** The test's bindings with other vars: one object per `vars` object, so its configuration is parsed once. */
function envWith(vars: Partial<Env>): Env {
  let merged = envs.get(vars);
  if (!merged) {
    merged = { ...env, ...vars };
    envs.set(vars, merged);
  }
  return merged;
}

/** Sends a request through the Worker's own fetch handler, as a browser or API client would. */
export async function send(path: string, options: Send = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  headers.set("accept", options.acceptJson ? "application/json" : "text/html,application/xhtml+xml");
  let body: BodyInit | undefined;
  if (options.form) body = formBody(options.form);
  if (options.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(options.json);
  }
  const method = options.method ?? (body === undefined ? "GET" : "POST");
  // Redirects are answers to check, not to follow.
  const request = new Request(`${ORIGIN}${path}`, { method, headers, body, cf: options.cf, redirect: "manual" });
  if (!options.vars) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, envWith(options.vars), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * A stand-in for a `[[ratelimits]]` binding, passed in `vars`: it allows `limit` calls per
 * key and refuses the rest, with no window. The real binding counts in windows aligned to
 * the wall clock, so a test that counts up to its limit could straddle two windows and
 * never see a 429.
 */
export function countingLimiter(limit: number): RateLimit & { counted: Map<string, number> } {
  const counted = new Map<string, number>();
  return {
    counted,
    async limit({ key }) {
      const count = (counted.get(key) ?? 0) + 1;
      counted.set(key, count);
      return { success: count <= limit };
    },
  };
}

export const ADA = { firstname: "Ada", lastname: "Lovelace", email: "ada@example.com", accept_rules: "on" };

export function signUp(email: string, extra: Partial<typeof ADA> = {}, options: Send = {}): Promise<Response> {
  return send("/signup", { ...options, form: { ...ADA, ...extra, email } });
}

export function validSubmission(code: string, extra: FormValues = {}): FormValues {
  return {
    code,
    title: "Edge Chess",
    description: "Multiplayer chess with one Durable Object per game.",
    repo_url: "https://github.com/ada/edge-chess",
    demo_url: "https://edge-chess.ada.workers.dev",
    products: ["workers", "durable-objects"],
    confirm_original: "on",
    ...extra,
  };
}

export interface CapturedEmail {
  key: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
}

/** The development mailbox, as its JSON API shows it. */
export async function mailbox(): Promise<CapturedEmail[]> {
  const response = await send("/dev/mailbox", { acceptJson: true });
  expect(response.status).toBe(200);
  return ((await response.json()) as { emails: CapturedEmail[] }).emails;
}

/**
 * The emails to `to` once the mailbox holds `count` of them (the queue delivers in
 * batches), or what it holds after `timeoutMs`, for tests that count them.
 */
export async function emailsTo(to: string, count = 1, timeoutMs = 10_000): Promise<CapturedEmail[]> {
  const emails = async () => (await mailbox()).filter((email) => email.to === to);
  return vi
    .waitFor(
      async () => {
        const found = await emails();
        if (found.length < count) throw new Error(`${found.length} of ${count} emails to ${to}`);
        return found;
      },
      { timeout: timeoutMs, interval: 50 },
    )
    .catch(emails);
}

/** The link code in the newest email to `to`. */
export async function linkCodeFor(to: string, count = 1): Promise<string> {
  const [latest] = await emailsTo(to, count);
  const link = latest?.links.find((url) => url.includes("/submit?code="));
  if (!link) throw new Error(`no submission link emailed to ${to}`);
  return new URL(link).searchParams.get("code")!;
}

/** Registers `email` and returns the code from the link it was emailed. */
export async function registered(email: string): Promise<string> {
  // A browser's signup is answered with the check-your-inbox page's address (post/redirect/get).
  expect((await signUp(email)).status).toBe(303);
  return linkCodeFor(email);
}

/** The test configuration's canonical mailbox of `email` (EMAIL_CANONICAL), which names its Registrant. */
export function mailboxOf(email: string): string {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error("the test configuration is invalid");
  return canonicalMailbox(email.trim().normalize("NFC").toLowerCase(), loaded.config.emailCanonical);
}

/** The Registrant object of `email`'s mailbox, as the Worker reaches it. */
export function registrantStub(email: string) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromName(mailboxOf(email)));
}

/** Whether the object for `email` holds a registration (a refused signup must leave none). */
export function holdsRegistration(email: string): Promise<boolean> {
  return runInDurableObject(registrantStub(email), (_, state) => state.storage.sql.exec("SELECT 1 FROM registrant").toArray().length > 0);
}

/**
 * Records the link code of every email job the Registrant objects queue from now on (the
 * objects share the test's bindings), without waiting for the queue to deliver them.
 */
export function captureLinkCodes(): LinkCodes {
  const codes = new Map<string, string>();
  const sendBatch = env.CHANGES_QUEUE.sendBatch.bind(env.CHANGES_QUEUE);
  vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockImplementation(async (messages, options) => {
    for (const job of [...messages].flatMap(({ body }) => queuedEmails(body))) {
      if (!("code" in job)) continue;
      codes.set(`${job.template}:${job.to}`, job.code);
      if (!job.template.startsWith("prize") && !job.template.startsWith("shipping")) codes.set(job.to, job.code);
    }
    return sendBatch(messages, options);
  });
  return {
    get size() {
      return codes.size;
    },
    get(email, timeoutMs = 5_000) {
      return vi.waitFor(
        () => {
          const code = codes.get(email);
          if (!code) throw new Error(`no link queued for ${email}`);
          return code;
        },
        { timeout: timeoutMs, interval: 10 },
      );
    },
    forget(key) {
      codes.delete(key);
    },
  };
}

export interface LinkCodes {
  readonly size: number;
  /**
   * The latest submission-link code queued for `email` — or, given "template:email", the
   * latest code of that template (a shipping link) — waiting a little for the outbox.
   */
  get(key: string, timeoutMs?: number): Promise<string>;
  /** Forgets a key, so the next get waits for a newer code. */
  forget(key: string): void;
}

export function registrantId(email: string): string {
  return env.REGISTRANT.idFromName(mailboxOf(email)).toString();
}

/** A Content-Security-Policy's directives by name, each with its sources. */
export function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(";").map((part) => {
      const [name = "", ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** The CSP source that allows an inline script or style with exactly this text. */
export function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}
