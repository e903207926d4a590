import type { LiveRelay } from "./objects/live-relay";
import type { PrizeCounter } from "./objects/prize-counter";
import type { QueueMessage } from "./messages/topics";
import type { Registrant } from "./objects/registrant";

/** The bindings and variables wrangler.toml gives the Worker and its Durable Objects. */
export interface Env {
  REGISTRANT: DurableObjectNamespace<Registrant>;
  PRIZE_COUNTER: DurableObjectNamespace<PrizeCounter>;
  LIVE_RELAY: DurableObjectNamespace<LiveRelay>;
  SNAPSHOTS: KVNamespace;
  DB: D1Database;
  EMAIL_QUEUE: Queue<QueueMessage>;
  EMAIL_SENDS_QUEUE: Queue<QueueMessage>;
  INDEX_QUEUE: Queue<QueueMessage>;
  TASK_QUEUE: Queue<QueueMessage>;
  EMAIL?: SendEmail;
  /** Signup and new-link forms per client (wrangler.toml `[[ratelimits]]`). */
  SIGNUP_LIMITER?: RateLimit;
  /** Dashboard sign-in attempts per client (wrangler.toml `[[ratelimits]]`). */
  ADMIN_LOGIN_LIMITER?: RateLimit;

  ENVIRONMENT?: string;
  CONTEST_NAME?: string;
  PUBLIC_URL?: string;
  REGISTRATION_OPENS?: string;
  REGISTRATION_CLOSES?: string;
  SUBMISSION_OPENS?: string;
  SUBMISSION_CLOSES?: string;
  PRIZE_POOL?: string;
  AWARD_POLICY?: string;
  LIVE_SOCKET_CAP?: string;
  LIVE_RELAYS?: string;
  HOLD_DAYS?: string;
  REOFFER_EXPIRED?: string;
  TSHIRT_SIZES?: string;
  RETENTION_DAYS?: string;
  EMAIL_PROVIDER?: string;
  EMAIL_FROM?: string;
  /** A secret (`wrangler secret put`), never a var: needed when EMAIL_PROVIDER is resend. */
  RESEND_API_KEY?: string;
  BRAND_COLOR?: string;
  MAX_BODY_BYTES?: string;
  EMAIL_RETRY_HOURS?: string;
  OUTBOX_CONFIRM_SECONDS?: string;
  RUBRIC?: string;
  ADMIN_TOKENS?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ADMIN_ORGANISERS?: string;
  TURNSTILE_SITE_KEY?: string;
  /** A secret, never a var: needed when TURNSTILE_SITE_KEY is set. */
  TURNSTILE_SECRET_KEY?: string;
}
