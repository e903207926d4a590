import * as v from "valibot";
import { AdminToken } from "./schemas/judges";
import { CANONICAL_MODES } from "./schemas/mailbox";
import { DEFAULT_RUBRIC, Rubric } from "./schemas/rubric";
import { COUNTRY_CODES } from "./schemas/shipping";

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or NaN unless every field is in range (no 30 February). */
function parseInstant(value: string): number {
  const match = INSTANT.exec(value);
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((field) => Number(field ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exact =
    local.getUTCFullYear() === year && local.getUTCMonth() === month - 1 && local.getUTCDate() === day &&
    local.getUTCHours() === hour && local.getUTCMinutes() === minute && local.getUTCSeconds() === second;
  return exact ? Date.parse(value) : NaN;
}

/** A JSON value in a variable, validated by `schema`; absent means `fallback`. */
const Json = <T extends v.GenericSchema>(name: string, schema: T, fallback: string) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.parseJson(undefined, (issue) => `${name} is not valid JSON: ${issue.received}`),
    schema,
  );

const Instant = (name: string) =>
  v.pipe(
    v.string(`${name} is required`),
    v.transform(parseInstant),
    v.check((instant) => !Number.isNaN(instant), `${name} must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T23:59:59Z`),
  );

const WholeNumber = (name: string, fallback: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform(Number),
    v.integer(`${name} must be a whole number`),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );

/** `true` or `false`, off unless set. */
const Flag = (name: string) =>
  v.pipe(
    v.optional(v.picklist(["true", "false"], `${name} must be true or false`), "false"),
    v.transform((flag) => flag === "true"),
  );

const PositiveInteger = (name: string, fallback: string) => WholeNumber(name, fallback, 1);

/** Comma-separated email domains, lower-cased and NFC like the addresses they are matched with; `*` is every domain. */
const DomainList = (name: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((list) => list.split(",").map((domain) => domain.trim().normalize("NFC").toLowerCase()).filter(Boolean)),
    v.check(
      (domains) => domains.every((domain) => domain === "*" || /^[^\s@*]+\.[^\s@*]+$/u.test(domain)),
      `${name} is a comma-separated list of domains such as example.com (or * for every domain)`,
    ),
  );

/** A comma-separated list of ISO 3166-1 alpha-2 codes, upper-cased; empty means none. */
const CountryList = (name: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((list) => list.split(",").map((code) => code.trim().toUpperCase()).filter(Boolean)),
    v.check(
      (codes) => codes.every((code) => (COUNTRY_CODES as readonly string[]).includes(code)),
      `${name} lists ISO 3166-1 alpha-2 country codes separated by commas, e.g. GB,IE,FR`,
    ),
  );

/** The contest's configuration, read from wrangler.toml vars (and config/development.env locally). */
const ConfigSchema = v.pipe(
  v.object({
    ENVIRONMENT: v.optional(
      v.picklist(["development", "production"], "ENVIRONMENT must be development or production"),
      "production",
    ),
    CONTEST_NAME: v.pipe(
      v.string("CONTEST_NAME is required"),
      v.trim(),
      v.minLength(1, "CONTEST_NAME is required"),
      v.maxLength(120, "CONTEST_NAME is longer than 120 characters"),
    ),
    PUBLIC_URL: v.pipe(
      v.string("PUBLIC_URL is required"),
      v.url("PUBLIC_URL must be an absolute URL, e.g. https://challenge.example.com"),
      v.regex(/^https?:\/\//, "PUBLIC_URL must start with http:// or https://"),
      v.transform((url) => url.replace(/\/+$/, "")),
    ),
    REGISTRATION_OPENS: Instant("REGISTRATION_OPENS"),
    REGISTRATION_CLOSES: Instant("REGISTRATION_CLOSES"),
    SUBMISSION_OPENS: Instant("SUBMISSION_OPENS"),
    SUBMISSION_CLOSES: Instant("SUBMISSION_CLOSES"),
    PRIZE_POOL: PositiveInteger("PRIZE_POOL", "300"),
    AWARD_POLICY: v.optional(
      v.picklist(["judged", "first_come"], "AWARD_POLICY must be judged or first_come"),
      "judged",
    ),
    LIVE_SOCKET_CAP: PositiveInteger("LIVE_SOCKET_CAP", "32000"),
    LIVE_RELAYS: WholeNumber("LIVE_RELAYS", "0", 0, 100),
    HOLD_DAYS: PositiveInteger("HOLD_DAYS", "14"),
    REOFFER_EXPIRED: Flag("REOFFER_EXPIRED"),
    TSHIRT_SIZES: v.pipe(
      v.optional(v.string(), ""),
      v.transform((list) => list.split(",").map((size) => size.trim()).filter(Boolean)),
      v.check((sizes) => sizes.every((size) => size.length <= 10), "TSHIRT_SIZES are at most 10 characters each"),
    ),
    RETENTION_DAYS: PositiveInteger("RETENTION_DAYS", "365"),
    EMAIL_PROVIDER: v.picklist(["capture", "cloudflare", "resend"], "EMAIL_PROVIDER must be capture, cloudflare or resend"),
    EMAIL_FROM: v.pipe(v.string("EMAIL_FROM is required"), v.trim(), v.minLength(3, "EMAIL_FROM is required")),
    // An empty secret (a blank line in .dev.vars) counts as none, so the message below says what to do.
    RESEND_API_KEY: v.optional(v.pipe(v.string(), v.trim(), v.transform((key) => key || undefined))),
    BRAND_COLOR: v.pipe(
      v.optional(v.string(), "#f6821f"),
      v.regex(/^#[0-9a-f]{6}$/i, "BRAND_COLOR must be a hex colour #rrggbb, e.g. #f6821f"),
      v.toLowerCase(),
    ),
    MAX_BODY_BYTES: PositiveInteger("MAX_BODY_BYTES", "65536"),
    EMAIL_RETRY_HOURS: WholeNumber("EMAIL_RETRY_HOURS", "24", 1, 72),
    OUTBOX_CONFIRM_SECONDS: WholeNumber("OUTBOX_CONFIRM_SECONDS", "300", 1, 86_400),
    RUBRIC: Json("RUBRIC", Rubric, JSON.stringify(DEFAULT_RUBRIC)),
    ADMIN_TOKENS: Json("ADMIN_TOKENS", v.array(AdminToken, "ADMIN_TOKENS must be a list"), "[]"),
    ACCESS_TEAM_DOMAIN: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^https:\/\/[a-z0-9-]+\.cloudflareaccess\.com\/?$/, "ACCESS_TEAM_DOMAIN looks like https://<team>.cloudflareaccess.com"),
        v.transform((url) => url.replace(/\/$/, "")),
      ),
    ),
    ACCESS_AUD: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty("ACCESS_AUD is empty"))),
    TURNSTILE_SITE_KEY: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty("TURNSTILE_SITE_KEY is empty"))),
    TURNSTILE_SECRET_KEY: v.optional(v.pipe(v.string(), v.trim(), v.transform((key) => key || undefined))),
    EMAIL_CANONICAL: v.optional(v.picklist(CANONICAL_MODES, "EMAIL_CANONICAL must be providers, strict or off"), "providers"),
    EMAIL_DOMAINS_DENY: DomainList("EMAIL_DOMAINS_DENY"),
    EMAIL_DOMAINS_ALLOW: DomainList("EMAIL_DOMAINS_ALLOW"),
    ONE_BOX_PER_ADDRESS: v.optional(v.picklist(["review", "refuse", "off"], "ONE_BOX_PER_ADDRESS must be review, refuse or off"), "review"),
    // An empty secret counts as none, as RESEND_API_KEY's does.
    ADDRESS_FINGERPRINT_KEY: v.optional(
      v.pipe(
        v.string(),
        v.trim(),
        v.transform((key) => key || undefined),
        v.check((key) => key === undefined || key.length >= 32, "ADDRESS_FINGERPRINT_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`)"),
      ),
    ),
    REVIEWS_PER_ENTRY: WholeNumber("REVIEWS_PER_ENTRY", "3", 1, 50),
    MIN_REVIEWS: WholeNumber("MIN_REVIEWS", "1", 0, 50),
    BLIND_JUDGING: Flag("BLIND_JUDGING"),
    ADMIN_ORGANISERS: v.pipe(
      v.optional(v.string(), ""),
      v.transform((list) => list.split(",").map((email) => email.trim().toLowerCase()).filter(Boolean)),
    ),
    // Submissions' links: static checks always run; these say whether the network ones do.
    LINK_CHECKS: v.pipe(
      v.optional(v.picklist(["on", "off"], "LINK_CHECKS must be on or off"), "on"),
      v.transform((flag) => flag === "on"),
    ),
    LINK_CHECK_STUB: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/, "LINK_CHECK_STUB must be http://127.0.0.1:<port> (a local stub, never a real host)"),
      ),
    ),
    GITHUB_TOKEN: v.optional(v.pipe(v.string(), v.trim(), v.transform((token) => token || undefined))),
    FIRST_COME_REVIEW_HOURS: WholeNumber("FIRST_COME_REVIEW_HOURS", "0", 0, 720),
    FIRST_COME_REQUIRE_LIVE: Flag("FIRST_COME_REQUIRE_LIVE"),
    // What a prize is called on the pages: "singular|plural".
    PRIZE_NAME: v.pipe(
      v.optional(v.string(), "swag box|swag boxes"),
      v.transform((name) => {
        const [one = "", many = `${one}s`] = name.split("|").map((part) => part.trim());
        return { one, many };
      }),
      v.check(({ one, many }) => one.length > 0 && many.length > 0 && one.length <= 40 && many.length <= 40, "PRIZE_NAME is \"singular|plural\", each 1 to 40 characters, e.g. swag box|swag boxes"),
    ),
    SHIP_TO: CountryList("SHIP_TO"),
    SHIP_NOT_TO: CountryList("SHIP_NOT_TO"),
    REVOKE_UNDO_MINUTES: WholeNumber("REVOKE_UNDO_MINUTES", "10", 0, 1_440),
    UNSUBSCRIBE_SECRET: v.optional(
      v.pipe(v.string(), v.trim(), v.minLength(32, "UNSUBSCRIBE_SECRET must be at least 32 characters (`openssl rand -base64 32`)")),
    ),
  }),
  v.forward(
    v.check((c) => c.SHIP_TO.length === 0 || c.SHIP_NOT_TO.length === 0, "Set SHIP_TO (where prizes go) or SHIP_NOT_TO (everywhere else), not both"),
    ["SHIP_NOT_TO"],
  ),
  v.forward(
    v.check((c) => !c.ACCESS_TEAM_DOMAIN === !c.ACCESS_AUD, "ACCESS_TEAM_DOMAIN and ACCESS_AUD go together"),
    ["ACCESS_AUD"],
  ),
  v.forward(
    v.check(
      (c) => !c.TURNSTILE_SITE_KEY === !c.TURNSTILE_SECRET_KEY,
      "TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY go together (the secret with `wrangler secret put TURNSTILE_SECRET_KEY`)",
    ),
    ["TURNSTILE_SECRET_KEY"],
  ),
  // Judges following `next` stop at REVIEWS_PER_ENTRY: a higher minimum would leave nothing to award.
  v.forward(
    v.check((c) => c.MIN_REVIEWS <= c.REVIEWS_PER_ENTRY, "MIN_REVIEWS must not be above REVIEWS_PER_ENTRY"),
    ["MIN_REVIEWS"],
  ),
  v.forward(
    v.check((c) => c.REGISTRATION_OPENS < c.REGISTRATION_CLOSES, "REGISTRATION_CLOSES must be after REGISTRATION_OPENS"),
    ["REGISTRATION_CLOSES"],
  ),
  v.forward(
    v.check((c) => c.SUBMISSION_OPENS < c.SUBMISSION_CLOSES, "SUBMISSION_CLOSES must be after SUBMISSION_OPENS"),
    ["SUBMISSION_CLOSES"],
  ),
  // The capture provider keeps every email, links included, where /dev/mailbox shows them.
  v.forward(
    v.check(
      (c) => c.EMAIL_PROVIDER !== "capture" || c.ENVIRONMENT === "development",
      "EMAIL_PROVIDER capture is only allowed when ENVIRONMENT is development",
    ),
    ["EMAIL_PROVIDER"],
  ),
  // Network checks go to a local stub only on a development machine (an e2e run, the bench).
  v.forward(
    v.check(
      (c) => c.LINK_CHECK_STUB === undefined || c.ENVIRONMENT === "development",
      "LINK_CHECK_STUB is only allowed when ENVIRONMENT is development",
    ),
    ["LINK_CHECK_STUB"],
  ),
  // Without a review window a claim is confirmed at once, before any check can fail it.
  v.forward(
    v.check(
      (c) => !c.FIRST_COME_REQUIRE_LIVE || c.FIRST_COME_REVIEW_HOURS > 0,
      "FIRST_COME_REQUIRE_LIVE needs a review window: set FIRST_COME_REVIEW_HOURS to 1 or more",
    ),
    ["FIRST_COME_REQUIRE_LIVE"],
  ),
  v.forward(
    v.check(
      (c) => c.ONE_BOX_PER_ADDRESS === "off" || c.ADDRESS_FINGERPRINT_KEY !== undefined,
      "ADDRESS_FINGERPRINT_KEY is required unless ONE_BOX_PER_ADDRESS is off (set it with `wrangler secret put ADDRESS_FINGERPRINT_KEY`)",
    ),
    ["ADDRESS_FINGERPRINT_KEY"],
  ),
  v.forward(
    v.check(
      (c) => c.EMAIL_PROVIDER !== "resend" || c.RESEND_API_KEY !== undefined,
      "RESEND_API_KEY is required when EMAIL_PROVIDER is resend (set it with `wrangler secret put RESEND_API_KEY`)",
    ),
    ["RESEND_API_KEY"],
  ),
);

/** SNAKE_CASE to camelCase, as a type: PRIZE_POOL is prizePool. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<Camel<Tail>>}` : Lowercase<S>;

type Vars = v.InferOutput<typeof ConfigSchema>;

/** The variables, as the Worker and the objects read them: each one under its camelCase name. */
type Settings = { [Name in keyof Vars as Camel<Name & string>]: Vars[Name] };

export interface Window {
  opens: number;
  closes: number;
}

/**
 * The contest's configuration: every variable, validated, under its camelCase name
 * (PRIZE_POOL is `prizePool`), and what several variables make together.
 */
export type Config = Settings & {
  registration: Window;
  submission: Window;
  /** Cloudflare Access in front of /admin, when configured. */
  access: { teamDomain: string; audience: string } | null;
  /** Turnstile on the signup form, when configured. */
  turnstile: { siteKey: string; secretKey: string } | null;
  /** The countries prizes ship to (SHIP_TO, or every country but SHIP_NOT_TO), in code order. */
  shipsTo: readonly string[];
};

/** The names of every variable the configuration reads, as wrangler.toml and the env files set them. */
export type ConfigVars = { [Name in keyof v.InferInput<typeof ConfigSchema>]?: string };

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

const cache = new WeakMap<object, ConfigResult>();
export const DAY_MS = 86_400_000;

/** Validates the configuration once per `env` object; a bad value names its variable. */
export function loadConfig(env: ConfigVars): ConfigResult {
  let result = cache.get(env);
  if (!result) {
    result = parseConfig(env);
    cache.set(env, result);
  }
  return result;
}

function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function parseConfig(env: ConfigVars): ConfigResult {
  const parsed = v.safeParse(ConfigSchema, env);
  if (!parsed.success) {
    const problems = new Map<string, string>();
    for (const issue of parsed.issues) {
      const variable = v.getDotPath(issue) ?? "configuration";
      if (!problems.has(variable)) problems.set(variable, issue.message);
    }
    return { ok: false, problems: [...problems].map(([variable, message]) => ({ variable, message })) };
  }
  const c = parsed.output;
  const settings = Object.fromEntries(Object.entries(c).map(([name, value]) => [camel(name), value])) as Settings;
  return {
    ok: true,
    config: {
      ...settings,
      registration: { opens: c.REGISTRATION_OPENS, closes: c.REGISTRATION_CLOSES },
      submission: { opens: c.SUBMISSION_OPENS, closes: c.SUBMISSION_CLOSES },
      access: c.ACCESS_TEAM_DOMAIN && c.ACCESS_AUD ? { teamDomain: c.ACCESS_TEAM_DOMAIN, audience: c.ACCESS_AUD } : null,
      turnstile: c.TURNSTILE_SITE_KEY && c.TURNSTILE_SECRET_KEY ? { siteKey: c.TURNSTILE_SITE_KEY, secretKey: c.TURNSTILE_SECRET_KEY } : null,
      shipsTo: c.SHIP_TO.length > 0 ? COUNTRY_CODES.filter((code) => c.SHIP_TO.includes(code)) : COUNTRY_CODES.filter((code) => !c.SHIP_NOT_TO.includes(code)),
    },
  };
}

/**
 * The configuration, for Durable Objects: the Worker answers 503 before calling an object
 * under a bad configuration, so reaching an object with one is a bug worth an exception.
 */
export function requireConfig(env: ConfigVars): Config {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(`invalid configuration: ${loaded.problems.map((p) => p.variable).join(", ")}`);
  return loaded.config;
}

export function isOpen(window: Window, now = Date.now()): boolean {
  return now >= window.opens && now < window.closes;
}

/** Why a window is not open now, for the 403 a closed window answers. */
export function closedMessage(window: Window, name: string, now = Date.now()): string {
  return now < window.opens
    ? `${name} opens ${new Date(window.opens).toUTCString()}.`
    : `${name} closed ${new Date(window.closes).toUTCString()}.`;
}
