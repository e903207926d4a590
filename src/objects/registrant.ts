import * as v from "valibot";
import { DAY_MS, requireConfig } from "../config";
import type { Env } from "../env";
import { emailKey, RESEND_AS, type ResendKind } from "../messages/email-keys";
import { KEY_OF } from "../messages/topics";
import type { EmailJob } from "../schemas/email-job";
import type { EntryRow } from "../schemas/entry-row";
import { PrizeUpdate } from "../schemas/prizes";
import { eraseFromIndex } from "../store/entries-index";
import { shippingForm, type ShippingAddress } from "../schemas/shipping";
import { Registration } from "../schemas/signup";
import { SubmissionForm, type SubmissionVersion } from "../schemas/submission";
import { generateSecret, hashSecret } from "../secrets";
import { HttpUrl } from "../schemas/fields";
import { AddressPeers, AddressPlace, type AddressRelease } from "../schemas/address-claim";
import { EligibilityUpdate } from "../schemas/eligibility";
import { canonicalMailbox } from "../schemas/mailbox";
import { isMailboxBanned } from "../store/ban-snapshot";
import { ADDRESS_REVIEW_SCHEMA, AddressReview, type AcceptedClaim, type AddressReviewState } from "./address-review";
import { addressReleaseRoute } from "./fair-play-routes";
import { ALARM_SCHEDULE_SCHEMA, AlarmSchedule } from "./alarms";
import { LINK_CODE_SCHEMA, LinkCodes, type LinkInfo } from "./link-codes";
import { OUTBOX_SCHEMA, OUTBOX_SCHEMA_V1, OUTBOX_UPGRADE } from "./outbox";
import { changesChannel, emailRoute, indexRoute, linkCheckRoute, linkClaimRoute, prizeReleaseRoute } from "./outbox-routes";
import { addressClaim, prizeCounter, sharedLink } from "./stubs";
import { LINK_CHECK_SCHEMA, rolesOf, SubmissionLinks, type Links } from "./submission-links";
import { eraseLinkChecksStatement, type CheckConfirmation } from "../store/link-checks";
import { eraseLinkOwnersStatement } from "../store/link-owners";
import { PrizeHold, SHIPPING_SCHEMA, shippingLink, type GiveAddress, type MarkShipped, type ShippingState } from "./prize-hold";
import { OutboxHolder } from "./outbox-holder";
import { migrate, type Schema } from "./sql";

/** What markShipped takes: an http(s) tracking link, or none. */
const TrackingUrl = v.nullable(HttpUrl("Tracking URL"));

/** What resendEmail takes: the kinds an organiser's retry can send again. */
const ResendKindSchema = v.picklist([...new Set(Object.values(RESEND_AS))].filter((kind): kind is RegistrantResendKind => kind !== "announcement"));

/** What a Registrant sends again; announcements are queued again from D1, not by the object. */
export type RegistrantResendKind = Exclude<ResendKind, "announcement">;

/** A registrant asking for their link again gets at most one email per this interval. */
export const LINK_RESEND_INTERVAL_MS = 10 * 60_000;

const REGISTRANT_TABLE = `
  CREATE TABLE registrant (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    email TEXT NOT NULL,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    links_issued INTEGER NOT NULL,
    link_emailed_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    index_version INTEGER NOT NULL DEFAULT 0,
    mailbox TEXT NOT NULL DEFAULT '',
    showcase INTEGER NOT NULL DEFAULT 0
  );`;

/** The registrant table as the first objects made it (one link, its hash in the row). */
const REGISTRANT_TABLE_V1 = `
  CREATE TABLE registrant (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    email TEXT NOT NULL,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    links_issued INTEGER NOT NULL,
    link_emailed_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );`;

const SUBMISSION_VERSION_TABLE = `
  CREATE TABLE submission_version (
    version INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    repo_url TEXT NOT NULL,
    demo_url TEXT NOT NULL,
    products TEXT NOT NULL,
    submitted_at INTEGER NOT NULL
  );`;

// Open at its end, like ERASURE_TABLE: today's schema closes it after the columns added since.
const PRIZE_TABLE = `
  CREATE TABLE prize (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    status TEXT NOT NULL,
    slot INTEGER,
    position INTEGER,
    seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL`;

// The notice of a revoked prize, held for the undo window (REVOKE_UNDO_MINUTES) and kept
// once sent, so that an organiser's retry can send it again.
const REVOKE_NOTICE_TABLE = `
  CREATE TABLE revoke_notice (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq INTEGER NOT NULL,
    reason TEXT,
    due_at INTEGER NOT NULL,
    sent_at INTEGER
  );`;

// An erasure under way: what finishing it needs once everything else is gone.
const ERASURE_TABLE = `
  CREATE TABLE erasure (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    email TEXT,
    holds_prize INTEGER NOT NULL,
    tombstone_version INTEGER NOT NULL`;

// The PrizeCounter's word on this registrant's eligibility (the reason stays with the counter).
const ELIGIBILITY_TABLE = `
  CREATE TABLE eligibility (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    disqualified INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
  );`;

// Columns added after their tables were first made: an older object gets each with ALTER
// TABLE, a new one in its CREATE TABLE (an ALTER makes SQLite rewrite and re-read the whole
// schema, which a new object has no reason to pay for).
const ADDRESS_CLAIMS_COLUMN = `address_claims TEXT NOT NULL DEFAULT '[]'`;
/** A first-come slot's review window (FIRST_COME_REVIEW_HOURS). */
const REVIEW_UNTIL_COLUMN = `review_until INTEGER`;
/** The links an erasure lets go of. */
const RELEASED_URLS_COLUMN = `released_urls TEXT NOT NULL DEFAULT '[]'`;

/** What an erasure empties first, in one transaction. */
const ERASED_TABLES = ["registrant", "link_code", "submission_version", "prize", "shipping", "alarm_schedule", "outbox", "address_claim", "address_peers", "link_check", "revoke_notice"] as const;

type Erasure = { email: string | null; holds_prize: number; tombstone_version: number; address_claims: string; released_urls: string };

type Eligibility = { disqualified: number; seq: number };

/** While the verdict a review window waits for is on its way, the window's end is looked at again this often. */
const REVIEW_RECHECK_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

export const SCHEMA: Schema = {
  current: `
    ${REGISTRANT_TABLE}
    ${LINK_CODE_SCHEMA}
    ${SUBMISSION_VERSION_TABLE}
    ${PRIZE_TABLE},
      ${REVIEW_UNTIL_COLUMN}
    );
    ${SHIPPING_SCHEMA}
    ${ALARM_SCHEDULE_SCHEMA}
    ${OUTBOX_SCHEMA}
    ${ERASURE_TABLE},
      ${ADDRESS_CLAIMS_COLUMN},
      ${RELEASED_URLS_COLUMN}
    );
    ${ELIGIBILITY_TABLE}
    ${ADDRESS_REVIEW_SCHEMA}
    ${LINK_CHECK_SCHEMA}
    ${REVOKE_NOTICE_TABLE}`,
  upgrades: [
    `${REGISTRANT_TABLE_V1}
     ${SUBMISSION_VERSION_TABLE}
     ${OUTBOX_SCHEMA_V1}`,
    `${ALARM_SCHEDULE_SCHEMA}
     ${PRIZE_TABLE});`,
    `ALTER TABLE registrant ADD COLUMN index_version INTEGER NOT NULL DEFAULT 0;`,
    SHIPPING_SCHEMA,
    // End-to-end acknowledgement; rows of the retired "reindex" topic are rows of "index".
    `${OUTBOX_UPGRADE}
     UPDATE outbox SET topic = 'index' WHERE topic = 'reindex';
     ${ERASURE_TABLE});`,
    // Several valid links at once: the one in the row becomes the first of them.
    `${LINK_CODE_SCHEMA}
     INSERT INTO link_code (number, code_hash, issued_at) SELECT links_issued, code_hash, link_emailed_at FROM registrant;
     ALTER TABLE registrant DROP COLUMN code_hash;`,
    // One box per person: the canonical mailbox (under the old rule, the address itself),
    // eligibility, the address claim.
    `ALTER TABLE registrant ADD COLUMN mailbox TEXT NOT NULL DEFAULT '';
     UPDATE registrant SET mailbox = email;
     ALTER TABLE erasure ADD COLUMN ${ADDRESS_CLAIMS_COLUMN};
     ${ELIGIBILITY_TABLE}
     ${ADDRESS_REVIEW_SCHEMA}`,
    // Submissions checked for judges, the first-come review window, and the links an erasure lets go of.
    `${LINK_CHECK_SCHEMA}
     ALTER TABLE prize ADD COLUMN ${REVIEW_UNTIL_COLUMN};
     ALTER TABLE erasure ADD COLUMN ${RELEASED_URLS_COLUMN};`,
    // A winner's consent to the winners page; a revoked prize's notice and its undo window.
    `ALTER TABLE registrant ADD COLUMN showcase INTEGER NOT NULL DEFAULT 0;
     ${REVOKE_NOTICE_TABLE}`,
  ],
};

export type RegisterOutcome = "registered" | "link_resent" | "throttled";

export interface Profile {
  id: string;
  email: string;
  firstname: string;
  lastname: string;
}

/** The registrant's place in the prize pool, as the PrizeCounter last told it. */
export type Prize = Pick<PrizeUpdate, "status" | "slot" | "position">;

export type Described =
  | { ok: true; profile: Profile; latest: SubmissionVersion | null; prize: Prize | null; link: LinkInfo; disqualified: boolean }
  | { ok: false; reason: "unknown_code" };

export interface AdminView {
  profile: Profile;
  /** The canonical mailbox the registrant is keyed by; `profile.email` is the address as first registered. */
  mailbox: string;
  registeredAt: number;
  versions: SubmissionVersion[];
  prize: Prize | null;
  disqualified: boolean;
  address: AddressReviewState;
  /** A revoked prize's notice still in its undo window: when it goes, and the reason it gives. */
  revokeNotice: { dueAt: number; reason: string | null } | null;
}


export type { GiveAddress, MarkShipped };

/** What giving an address answers: the hold's answer, or (ONE_BOX_PER_ADDRESS=refuse) another winner gave it first. */
export type GiveAddressResult = GiveAddress | { ok: false; reason: "address_taken" };

export type Submitted =
  | { ok: true; version: number; profile: Profile; prize: Prize | null; disqualified: boolean }
  | { ok: false; reason: "unknown_code" | "banned" };

export type Rechecked = { queued: true; version: number } | { queued: false; reason: "no_submission" };

type RegistrantRow = {
  email: string;
  firstname: string;
  lastname: string;
  links_issued: number;
  link_emailed_at: number;
};

type VersionRow = {
  version: number;
  title: string;
  description: string;
  repo_url: string;
  demo_url: string;
  products: string;
  submitted_at: number;
};

/**
 * One entrant, addressed by `idFromName(normalised email)`: the only writer of their
 * registration, secret-code hash and submission history. Each method runs its reads and
 * writes in one synchronous transaction, so racing calls are serialised by construction.
 */
export class Registrant extends OutboxHolder {
  private readonly alarms: AlarmSchedule<"outbox" | "hold_reminder" | "hold_expiry" | "review_end" | "revoke_notice">;
  protected readonly outbox;
  private readonly hold: PrizeHold;
  private readonly links: LinkCodes;
  private readonly address: AddressReview;
  private readonly submissionLinks: SubmissionLinks;
  /** Told when a prize claim was tried (answered or not): a first-come submit waits for that, not for the rest of its hand-over. */
  private claimAnswered: () => void = () => {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA);
    this.alarms = new AlarmSchedule(ctx.storage, this.sql);
    this.links = new LinkCodes(this.sql);
    this.hold = new PrizeHold(this.sql, {
      id: ctx.id.toString(),
      contact: () => {
        const profile = this.profile();
        return profile && { to: profile.email, firstname: profile.firstname };
      },
      email: (job) => this.email(job),
    });
    this.address = new AddressReview(this.sql, ctx.id.toString());
    this.submissionLinks = new SubmissionLinks(this.sql, {
      id: ctx.id.toString(),
      check: (job) => this.outbox.add("link_check", job),
      claim: (claim) => this.outbox.add("link_claim", claim),
    });
    const changes = changesChannel(env);
    this.outbox = this.outboxOf(
      this.alarms,
      {
        email: emailRoute(changes),
        index: indexRoute(changes),
        // A claim is idempotent at the counter, so a redelivery returns the same answer.
        prize_claim: {
          key: KEY_OF.prize_claim,
          deliver: async (claims: { registrantId: string }[]) => {
            try {
              for (const _ of claims) {
                // A disqualified registrant gets no place: nothing to apply.
                const update = await prizeCounter(env).claim(this.id);
                if (update) await this.applyPrize(update);
              }
            } finally {
              this.claimAnswered();
            }
          },
        },
        prize_release: prizeReleaseRoute(env),
        address_release: addressReleaseRoute(env),
        link_check: linkCheckRoute(env, (checked) => this.takeVerdicts(checked)),
        link_claim: linkClaimRoute(env),
        // The end of a review window: the counter confirms the slot (and says so), or frees it.
        prize_confirm: {
          key: KEY_OF.prize_confirm,
          deliver: async (requests: { registrantId: string }[]) => {
            for (const _ of requests) {
              const update = await prizeCounter(env).confirmProvisional(this.id);
              if (update) await this.applyPrize(update);
            }
          },
        },
        prize_forfeit: {
          key: KEY_OF.prize_forfeit,
          deliver: async (requests: { registrantId: string }[]) => {
            for (const _ of requests) await prizeCounter(env).releaseProvisional(this.id, "link_checks");
          },
        },
      },
      ctx.id.toString(),
    );
  }

  /**
   * Registers the entrant, or — if already registered — retires their link and emails a
   * fresh one, at most once per LINK_RESEND_INTERVAL_MS. Stored details never change here.
   */
  async register(input: Registration): Promise<RegisterOutcome> {
    const registration = v.parse(Registration, input);
    return this.issueLink(registration);
  }

  /**
   * Emails a registered entrant a fresh link (retiring the old one), at most once per
   * LINK_RESEND_INTERVAL_MS; someone who never registered gets nothing.
   */
  async resendLink(): Promise<RegisterOutcome | "not_registered"> {
    return this.issueLink(null);
  }

  /** Registers `registration` if given and new, else re-issues the link of who is registered. */
  private async issueLink(registration: Registration): Promise<RegisterOutcome>;
  private async issueLink(registration: null, options?: { throttle: boolean }): Promise<RegisterOutcome | "not_registered">;
  private async issueLink(
    registration: Registration | null,
    { throttle } = { throttle: true },
  ): Promise<RegisterOutcome | "not_registered"> {
    // Hash before the transaction: an await inside it would let racing calls interleave.
    const secret = generateSecret();
    const codeHash = await hashSecret(secret);
    const now = Date.now();

    const outcome = this.ctx.storage.transactionSync((): RegisterOutcome | "not_registered" => {
      const existing = this.row();
      if (!existing && !registration) return "not_registered";
      if (existing && throttle && now - existing.link_emailed_at < LINK_RESEND_INTERVAL_MS) return "throttled";
      const linksIssued = (existing?.links_issued ?? 0) + 1;
      if (existing) {
        this.sql`UPDATE registrant SET links_issued = ${linksIssued}, link_emailed_at = ${now}`;
      } else {
        this.sql`INSERT INTO registrant (singleton, email, firstname, lastname, links_issued, link_emailed_at, created_at, mailbox)
          VALUES (1, ${registration!.email}, ${registration!.firstname}, ${registration!.lastname}, ${linksIssued}, ${now}, ${now},
            ${canonicalMailbox(registration!.email, requireConfig(this.env).emailCanonical)})`;
      }
      this.links.issue(linksIssued, codeHash, now);
      if (!existing) this.index(now);
      const person = existing ?? registration!;
      const template = existing ? "link_resent" : "registration";
      this.email({
        template,
        key: emailKey(this.id, template, linksIssued),
        to: person.email,
        firstname: person.firstname,
        code: `${this.id}.${secret}`,
      });
      return existing ? "link_resent" : "registered";
    });
    if (outcome === "registered" || outcome === "link_resent") void this.outbox.afterCommit();
    return outcome;
  }

  /**
   * The entrant's details and latest submission, if `secret` is one of their valid links
   * (opening a link retires the older ones), and which of their links it is.
   */
  async describe(secret: string): Promise<Described> {
    const presented = await hashSecret(secret);
    const now = Date.now();
    return this.ctx.storage.transactionSync((): Described => {
      const opened = this.verify(presented, now);
      if (!opened) return { ok: false, reason: "unknown_code" };
      return { ok: true, ...opened, latest: this.versions(1)[0] ?? null, prize: this.prize(), disqualified: this.disqualified() };
    });
  }

  /**
   * Stores a submission as the next version: the first is the submission, every later one
   * an amendment of it. The caller checks the submission window. Under the first-come
   * policy the first version also claims a prize; the answer waits for the claim, and if
   * the counter cannot be reached the outbox keeps retrying it.
   */
  async submit(secret: string, input: SubmissionForm): Promise<Submitted> {
    const form = v.parse(SubmissionForm, input);
    const presented = await hashSecret(secret);
    const now = Date.now();
    const firstCome = requireConfig(this.env).awardPolicy === "first_come";
    if (!this.verify(presented, now)) return { ok: false, reason: "unknown_code" };
    if (await this.banned()) return { ok: false, reason: "banned" };
    const result = this.ctx.storage.transactionSync((): Submitted => {
      const profile = this.verify(presented, now)?.profile;
      if (!profile) return { ok: false, reason: "unknown_code" };
      const version =
        this.sql<{ last: number | null }>`SELECT MAX(version) AS last FROM submission_version`.one().last ?? 0;
      const next = version + 1;
      this.sql`INSERT INTO submission_version
          (version, title, description, repo_url, demo_url, products, submitted_at)
        VALUES (${next}, ${form.title}, ${form.description}, ${form.repo_url}, ${form.demo_url},
          ${JSON.stringify(form.products)}, ${now})`;
      this.submissionLinks.check({ version: next, repo_url: form.repo_url, demo_url: form.demo_url }, this.linksOf(version), now);
      this.email({
        template: "submission_received",
        key: emailKey(this.id, "submission_received", next),
        to: profile.email,
        firstname: profile.firstname,
        code: `${this.id}.${secret}`,
        version: next,
        title: form.title,
      });
      if (next === 1 && firstCome && !this.disqualified()) this.outbox.add("prize_claim", { registrantId: this.id });
      this.index(now);
      return { ok: true, version: next, profile, prize: null, disqualified: this.disqualified() };
    });
    if (!result.ok) return result;
    const delivery = this.outbox.afterCommit();
    // The claim, not the links' checks and claims handed over beside it.
    if (firstCome && result.version === 1) await Promise.race([delivery, new Promise<void>((resolve) => (this.claimAnswered = resolve))]);
    return { ...result, prize: this.prize(), disqualified: this.disqualified() };
  }

  /**
   * An organiser asks for the links of the latest submission version to be checked again
   * (a new check version: the result replaces the last one). Nothing to check without a submission.
   */
  async recheckLinks(): Promise<Rechecked> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): Rechecked => {
      const latest = this.linksOf(Number.MAX_SAFE_INTEGER);
      if (!latest) return { queued: false, reason: "no_submission" };
      return { queued: true, version: this.submissionLinks.check(latest, latest, now) };
    });
    if (result.queued) await this.outbox.afterCommit();
    return result;
  }

  /** For the judges: the entrant, every version of the submission (newest first) and the prize. */
  async adminView(): Promise<AdminView | null> {
    const row = this.sql<{ email: string; mailbox: string; firstname: string; lastname: string; created_at: number }>`
      SELECT email, mailbox, firstname, lastname, created_at FROM registrant`.toArray()[0];
    if (!row) return null;
    const notice = this.sql<{ due_at: number; reason: string | null }>`SELECT due_at, reason FROM revoke_notice WHERE sent_at IS NULL`.toArray()[0];
    return {
      profile: { id: this.id, email: row.email, firstname: row.firstname, lastname: row.lastname },
      mailbox: row.mailbox,
      registeredAt: row.created_at,
      versions: this.versions(),
      prize: this.prize(),
      disqualified: this.disqualified(),
      address: this.address.state(),
      revokeNotice: notice ? { dueAt: notice.due_at, reason: notice.reason } : null,
    };
  }

  /**
   * This registrant's row as the judges' index should hold it now, at the version last
   * sent (for the index rebuild and dead letters); null when nobody is registered here.
   * Changes nothing.
   */
  async indexRow(): Promise<EntryRow | null> {
    const version = this.sql<{ index_version: number }>`SELECT index_version FROM registrant`.toArray()[0]?.index_version;
    return version === undefined ? null : this.projectRow(version);
  }

  /** Takes an update from the PrizeCounter; an older one than what is stored changes nothing. */
  async recordPrize(input: PrizeUpdate): Promise<void> {
    const update = v.parse(PrizeUpdate, input);
    if (update.registrantId !== this.id) throw new Error("a prize update for another registrant");
    await this.applyPrize(update);
  }

  /**
   * Takes the PrizeCounter's word on this registrant's eligibility; an older word than the
   * stored one changes nothing. Disqualified, the entrant is told by email once, any hold
   * closes and any waitlist place goes (the counter revokes a slot through a prize update).
   * Kept even before anyone registers here, so that a banned mailbox's disqualification
   * shows once they do.
   */
  async recordEligibility(input: EligibilityUpdate): Promise<void> {
    const update = v.parse(EligibilityUpdate, input);
    if (update.registrantId !== this.id) throw new Error("an eligibility update for another registrant");
    const now = Date.now();
    const changed = this.ctx.storage.transactionSync(() => {
      const stored = this.sql<Eligibility>`SELECT disqualified, seq FROM eligibility`.toArray()[0];
      if (stored && stored.seq >= update.seq) return false;
      this.sql`INSERT INTO eligibility (singleton, disqualified, seq, changed_at) VALUES (1, ${update.disqualified ? 1 : 0}, ${update.seq}, ${now})
        ON CONFLICT (singleton) DO UPDATE SET disqualified = excluded.disqualified, seq = excluded.seq, changed_at = excluded.changed_at`;
      const profile = this.profile();
      if (update.disqualified && !stored?.disqualified && profile) {
        this.email({ template: "disqualified", key: emailKey(this.id, "disqualified", update.seq), to: profile.email, firstname: profile.firstname });
        this.sql`UPDATE prize SET status = 'revoked', position = NULL, updated_at = ${now} WHERE status = 'waitlisted'`;
        this.closeHold();
      }
      this.index(now);
      return true;
    });
    if (!changed) return;
    if (update.disqualified) {
      await this.alarms.set("hold_reminder", null);
      await this.alarms.set("hold_expiry", null);
    }
    void this.outbox.afterCommit();
  }

  /** Takes an AddressClaim's word on who else gave the winner's address; an older word changes nothing. */
  async recordAddressPeers(input: AddressPeers): Promise<void> {
    const update = v.parse(AddressPeers, input);
    if (update.registrantId !== this.id) throw new Error("address news for another registrant");
    const now = Date.now();
    const changed = this.ctx.storage.transactionSync(() => {
      // An erased registrant keeps nothing, not even news of its old address.
      if (!this.row() || !this.address.record(update)) return false;
      this.index(now);
      return true;
    });
    if (changed) void this.outbox.afterCommit();
  }

  /**
   * An organiser looked at the winners who gave this winner's address and lets the box go
   * to the vendor's list; false when nothing waits for review.
   */
  async clearAddressReview(): Promise<boolean> {
    const now = Date.now();
    const cleared = this.ctx.storage.transactionSync(() => {
      if (!this.address.clear()) return false;
      this.index(now);
      return true;
    });
    if (cleared) void this.outbox.afterCommit();
    return cleared;
  }

  /**
   * The winner's shipping form: who they are, their hold, what they gave, and whether they
   * agreed to be listed on the winners page; null for a wrong code.
   */
  async describeShipping(secret: string): Promise<{ profile: Profile; shipping: ShippingState; showcase: boolean } | null> {
    const presented = await hashSecret(secret);
    const profile = this.profile();
    const shipping = this.hold.state();
    if (!profile || !shipping || !this.hold.matches(presented)) return null;
    return { profile, shipping, showcase: this.showcase() };
  }

  /**
   * A winner (with their shipping link) agrees, or no longer agrees, to be listed on the
   * public winners page; the judges' index follows. False for a wrong code.
   */
  async setShowcase(secret: string, consent: boolean): Promise<boolean> {
    const agreed = v.parse(v.boolean(), consent);
    const presented = await hashSecret(secret);
    const now = Date.now();
    const changed = this.ctx.storage.transactionSync(() => {
      if (!this.profile() || !this.hold.matches(presented)) return null;
      if (this.showcase() === agreed) return false;
      this.sql`UPDATE registrant SET showcase = ${agreed ? 1 : 0}`;
      this.index(now);
      return true;
    });
    if (changed) void this.outbox.afterCommit();
    return changed !== null;
  }

  /**
   * An organiser decides, within the undo window, that a revoked prize's notice should not
   * go (the revoke was a mistake, say). False when no notice is waiting.
   */
  async cancelRevokeNotice(): Promise<boolean> {
    const cancelled = this.sql`DELETE FROM revoke_notice WHERE sent_at IS NULL RETURNING seq`.toArray().length > 0;
    if (cancelled) await this.alarms.set("revoke_notice", null);
    return cancelled;
  }

  /**
   * Stores (or corrects) the winner's address while the hold lasts and before shipping.
   * The hold's reminder and expiry are cancelled; the winner gets a confirmation. With
   * `place` (ONE_BOX_PER_ADDRESS on), the address is first claimed at its AddressClaim:
   * under `refuse` an address another winner gave is refused and nothing changes (the hold
   * stays open); under `review` it is stored and both winners are flagged.
   */
  async giveAddress(secret: string, input: ShippingAddress, placeInput: AddressPlace | null = null): Promise<GiveAddressResult> {
    const { tshirtSizes, shipsTo } = requireConfig(this.env);
    const address = v.parse(shippingForm(tshirtSizes, shipsTo), input);
    const place = v.parse(v.nullable(AddressPlace), placeInput);
    const presented = await hashSecret(secret);
    // A wrong code or a closed hold claims nothing (the transaction below checks again).
    const refused = this.hold.refusal(presented);
    if (refused) return refused;
    let accepted: AcceptedClaim | null = null;
    if (place) {
      const token = crypto.randomUUID();
      const claimed = await addressClaim(this.env, place.claim).claim(this.id, token, place.mode);
      if (!claimed.ok) return { ok: false, reason: "address_taken" };
      accepted = { claim: place.claim, token, stamp: claimed.stamp, seq: claimed.seq, peers: claimed.peers };
    }
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): GiveAddressResult => {
      const given = this.hold.giveAddress(presented, address, now);
      if (given.ok) {
        const replaced = this.address.save(accepted);
        if (replaced) this.outbox.add("address_release", replaced);
        this.index(now);
      } else if (accepted && this.address.held()?.claim === accepted.claim) {
        // The address it already holds, claimed again: keep the claim, under its new token.
        this.address.save(accepted);
      } else if (accepted) {
        // The hold closed while the address was being claimed: the claim goes back.
        this.outbox.add("address_release", { registrantId: this.id, claim: accepted.claim, token: accepted.token });
      }
      return given;
    });
    if (!result.ok && accepted) void this.outbox.afterCommit();
    if (result.ok) {
      await this.alarms.set("hold_reminder", null);
      await this.alarms.set("hold_expiry", null);
      void this.outbox.afterCommit();
    }
    return result;
  }

  /** Organisers mark a prize shipped (with an optional tracking link, emailed to the winner). */
  async markShipped(trackingUrl: string | null): Promise<MarkShipped> {
    const tracking = v.parse(TrackingUrl, trackingUrl);
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): MarkShipped => {
      const shipped = this.hold.ship(tracking, now);
      if (shipped.ok) this.index(now);
      return shipped;
    });
    if (result.ok) void this.outbox.afterCommit();
    return result;
  }

  /**
   * An organiser retries an email that failed for good. Emails that carry a link cannot be
   * sent again as they were (only hashes are kept), so they go out with a fresh link; the
   * others are queued again under their own key. False when there is nothing to resend.
   */
  async resendEmail(input: RegistrantResendKind): Promise<boolean> {
    const kind = v.parse(ResendKindSchema, input);
    if (kind === "link") return (await this.issueLink(null, { throttle: false })) !== "not_registered";
    if (kind === "disqualified") return this.resendDisqualified();
    // A disqualified entrant gets no prize by any route, a retried email's included.
    if (this.disqualified()) return false;
    if (kind === "prize_revoked") return this.resendRevokeNotice();
    const link = await shippingLink();
    const queued = this.ctx.storage.transactionSync(() => this.hold.resend(kind, link, Date.now()));
    if (queued) await this.outbox.afterCommit();
    return queued;
  }

  /** The entrant asks for erasure with their submission link's code. */
  async eraseWithCode(secret: string): Promise<boolean> {
    const presented = await hashSecret(secret);
    if (!this.ctx.storage.transactionSync(() => this.verify(presented, Date.now()))) return false;
    await this.erase();
    return true;
  }

  /**
   * Erases the registrant: a prize not yet shipped goes back to the pool, the index row
   * becomes a tombstone (no personal data, versioned above every row the object sent),
   * their scores and email log go, and the object deletes all its storage. Safe to run
   * again if interrupted.
   */
  async erase(): Promise<void> {
    // First, in one transaction, everything goes but what finishing the erasure needs: from
    // then on nothing can change here (a prize update arriving meanwhile finds nobody), and
    // an erasure interrupted halfway resumes from that record.
    const erasure = this.ctx.storage.transactionSync((): Erasure => {
      const started = this.sql<Erasure>`SELECT email, holds_prize, tombstone_version, address_claims, released_urls FROM erasure`.toArray()[0];
      if (started) return started;
      // The address claims to give back: the one held, and any whose release is still on its way.
      const releases = [
        ...this.sql<{ body: string }>`SELECT body FROM outbox WHERE topic = 'address_release' AND dead_at IS NULL`.toArray().map((row) => JSON.parse(row.body) as AddressRelease),
        ...[this.address.held()].filter((held) => held !== null),
      ];
      const prize = this.prize();
      const shipping = this.hold.state();
      const lastVersion = this.sql<{ index_version: number }>`SELECT index_version FROM registrant`.toArray()[0]?.index_version ?? 0;
      const unshipped = prize?.status === "awarded" && shipping?.status !== "shipped";
      const pending: Erasure = {
        email: this.row()?.email ?? null,
        holds_prize: unshipped || prize?.status === "provisional" ? 1 : 0,
        // Above every row and check this object sent, so none still on its way can bring data back.
        tombstone_version: Math.max(lastVersion + 1, this.submissionLinks.version() + 1, Date.now()),
        address_claims: JSON.stringify(releases),
        released_urls: JSON.stringify([...rolesOf(this.linksOf(Number.MAX_SAFE_INTEGER)).keys()]),
      };
      for (const table of ERASED_TABLES) this.ctx.storage.sql.exec(`DELETE FROM ${table}`);
      this.sql`INSERT INTO erasure (singleton, email, holds_prize, tombstone_version, address_claims, released_urls)
        VALUES (1, ${pending.email}, ${pending.holds_prize}, ${pending.tombstone_version}, ${pending.address_claims}, ${pending.released_urls})`;
      return pending;
    });
    await this.ctx.storage.deleteAlarm();
    if (erasure.holds_prize) {
      // A slot under review goes to the waitlist's head; a confirmed one back to the pool.
      const counter = prizeCounter(this.env);
      const released = await counter.releaseProvisional(this.id, "erasure");
      if (!released.released && released.reason === "not_provisional") await counter.revoke(this.id, "erasure");
    }
    // Erasure removes the address fingerprint's claims too (releasing twice is harmless).
    for (const release of JSON.parse(erasure.address_claims) as AddressRelease[]) {
      await addressClaim(this.env, release.claim).release(release.registrantId, release.token);
    }
    const urls = JSON.parse(erasure.released_urls) as string[];
    await Promise.all(urls.map((url) => sharedLink(this.env, url).claim({ url, registrantId: this.id, kinds: [], version: erasure.tombstone_version })));
    await eraseFromIndex(this.env.DB, this.id, erasure.email, erasure.tombstone_version);
    await this.env.DB.batch([eraseLinkChecksStatement(this.env.DB, this.id), eraseLinkOwnersStatement(this.env.DB, this.id)]);
    // A disqualification outlives erasure, as the counter's does: erasing does not launder an entry.
    const eligibility = this.sql<Eligibility & { changed_at: number }>`SELECT disqualified, seq, changed_at FROM eligibility`.toArray()[0];
    await this.ctx.storage.deleteAll();
    // This instance lives on: give it its (empty) tables back, as a new object would have.
    migrate(this.ctx.storage.sql, SCHEMA);
    if (eligibility) {
      this.sql`INSERT INTO eligibility (singleton, disqualified, seq, changed_at)
        VALUES (1, ${eligibility.disqualified}, ${eligibility.seq}, ${eligibility.changed_at})`;
    }
  }

  override async alarm(): Promise<void> {
    await this.alarms.runDue(async (source) => {
      if (source === "hold_reminder") await this.remindAboutHold();
      else if (source === "hold_expiry") await this.expireHold();
      else if (source === "review_end") await this.endReview();
      else if (source === "revoke_notice") await this.sendRevokeNotice();
      else await this.outbox.flush();
    });
  }

  /** Halfway through the hold: one reminder, with a fresh shipping link (the old one retires). */
  private async remindAboutHold(): Promise<void> {
    const link = await shippingLink();
    const sent = this.ctx.storage.transactionSync(() => this.hold.remind(link, Date.now()));
    if (sent) await this.outbox.afterCommit();
  }

  /** At the hold's end without an address: the slot goes back to the pool (through the outbox). */
  private async expireHold(): Promise<void> {
    const now = Date.now();
    const holdExpiresAt = this.hold.state()?.holdExpiresAt ?? null;
    if (holdExpiresAt !== null && now < holdExpiresAt) {
      await this.alarms.set("hold_expiry", holdExpiresAt); // woken early: sleep again
      return;
    }
    const expired = this.ctx.storage.transactionSync(() => {
      if (!this.hold.expire(now)) return false;
      this.outbox.add("prize_release", { registrantId: this.id });
      this.index(now);
      return true;
    });
    if (expired) await this.outbox.afterCommit();
  }

  /**
   * A first-come slot's review window is over: the slot is confirmed (the winner email goes
   * out then), unless a link check failed under FIRST_COME_REQUIRE_LIVE, which frees it.
   * Under that rule a verdict still on its way is waited for, not guessed.
   */
  private async endReview(): Promise<void> {
    const review = this.sql<{ status: string; review_until: number | null }>`SELECT status, review_until FROM prize`.toArray()[0];
    if (review?.status !== "provisional" || review.review_until === null) return;
    if (Date.now() < review.review_until) {
      await this.alarms.set("review_end", review.review_until); // woken early: sleep again
      return;
    }
    if (requireConfig(this.env).firstComeRequireLive && this.awaitingVerdict()) {
      await this.outbox.flushAll();
      if (this.awaitingVerdict()) {
        await this.alarms.set("review_end", Date.now() + REVIEW_RECHECK_MS);
        return;
      }
    }
    this.ctx.storage.transactionSync(() => {
      if (!this.forfeitIfUnderReview()) this.outbox.add("prize_confirm", { registrantId: this.id });
    });
    await this.outbox.afterCommit();
  }

  /** A check asked for whose verdict has not come, while its job is still alive in the outbox. */
  private awaitingVerdict(): boolean {
    return this.submissionLinks.awaitingVerdict() && this.outbox.pending().some((job) => job.topic === "link_check" && job.state !== "dead");
  }

  /**
   * Takes what finished checks found (their jobs are being confirmed); a failed check of a
   * slot under review frees the slot when FIRST_COME_REQUIRE_LIVE says so. Runs inside the
   * outbox's run, which hands the release over in the same run.
   */
  private takeVerdicts(checked: CheckConfirmation[]): void {
    this.ctx.storage.transactionSync(() => {
      let failed = false;
      for (const { found } of checked) if (found && this.submissionLinks.found(found)) failed = true;
      if (failed) this.forfeitIfUnderReview();
    });
  }

  /**
   * Inside a transaction: when the slot is under review, FIRST_COME_REQUIRE_LIVE is on and
   * the newest check failed, asks the counter to free it. True when it did.
   */
  private forfeitIfUnderReview(): boolean {
    const underReview = this.prize()?.status === "provisional";
    if (!underReview || !requireConfig(this.env).firstComeRequireLive || !this.submissionLinks.failing()) return false;
    this.outbox.add("prize_forfeit", { registrantId: this.id });
    return true;
  }

  /** The links of submission version `version` (the latest at or below it); null before the first. */
  private linksOf(version: number): Links | null {
    return this.sql<Links & Record<string, SqlStorageValue>>`SELECT version, repo_url, demo_url FROM submission_version
      WHERE version <= ${version} ORDER BY version DESC LIMIT 1`.toArray()[0] ?? null;
  }

  /**
   * The undo window is over: the revoked prize's notice goes, once (keyed by the revoke's
   * sequence number), unless the prize came back meanwhile (the revoke was undone).
   */
  private async sendRevokeNotice(): Promise<void> {
    const now = Date.now();
    const outcome = this.ctx.storage.transactionSync((): "sent" | "dropped" | number | null => {
      const notice = this.sql<{ seq: number; reason: string | null; due_at: number }>`SELECT seq, reason, due_at FROM revoke_notice WHERE sent_at IS NULL`.toArray()[0];
      if (!notice) return null;
      if (now < notice.due_at) return notice.due_at;
      const prize = this.sql<{ status: string; seq: number }>`SELECT status, seq FROM prize`.toArray()[0];
      const person = this.row();
      if (!person || prize?.status !== "revoked" || prize.seq !== notice.seq) {
        this.sql`DELETE FROM revoke_notice`;
        return "dropped";
      }
      this.sql`UPDATE revoke_notice SET sent_at = ${now}`;
      this.email({ template: "prize_revoked", key: emailKey(this.id, "prize_revoked", notice.seq), to: person.email, firstname: person.firstname, reason: notice.reason });
      return "sent";
    });
    if (typeof outcome === "number") await this.alarms.set("revoke_notice", outcome);
    else if (outcome === "sent") await this.outbox.afterCommit();
  }

  /** An organiser's retry of a revoke notice that failed: the same notice, under a key of its own. */
  private async resendRevokeNotice(): Promise<boolean> {
    const now = Date.now();
    const queued = this.ctx.storage.transactionSync(() => {
      const notice = this.sql<{ seq: number; reason: string | null }>`SELECT seq, reason FROM revoke_notice WHERE sent_at IS NOT NULL`.toArray()[0];
      const person = this.row();
      if (!notice || !person) return false;
      this.email({ template: "prize_revoked", key: emailKey(this.id, "prize_revoked", `${notice.seq}-${now}`), to: person.email, firstname: person.firstname, reason: notice.reason });
      return true;
    });
    if (queued) await this.outbox.afterCommit();
    return queued;
  }

  private showcase(): boolean {
    return this.sql<{ showcase: number }>`SELECT showcase FROM registrant`.toArray()[0]?.showcase === 1;
  }

  private get id(): string {
    return this.ctx.id.toString();
  }

  private row(): RegistrantRow | undefined {
    return this.sql<RegistrantRow>`SELECT email, firstname, lastname, links_issued,
      link_emailed_at FROM registrant`.toArray()[0];
  }

  /**
   * Inside a transaction: who `presented` (a link code's hash) opens, and which of their
   * links it is; using a link retires the older ones. Null for a code that opens nothing.
   */
  private verify(presented: ArrayBuffer, now: number): { profile: Profile; link: LinkInfo } | null {
    const profile = this.profile();
    const link = profile && this.links.use(presented, now);
    return profile && link ? { profile, link } : null;
  }

  private prize(): Prize | null {
    return this.sql<Prize>`SELECT status, slot, position FROM prize`.toArray()[0] ?? null;
  }

  private profile(): Profile | null {
    const row = this.row();
    return row ? { id: this.id, email: row.email, firstname: row.firstname, lastname: row.lastname } : null;
  }

  private disqualified(): boolean {
    return this.sql<Eligibility>`SELECT disqualified, seq FROM eligibility`.toArray()[0]?.disqualified === 1;
  }

  /** Whether the ban list (its KV snapshot) names this registrant's mailbox or its domain. */
  private async banned(): Promise<boolean> {
    const mailbox = this.sql<{ mailbox: string }>`SELECT mailbox FROM registrant`.toArray()[0]?.mailbox;
    return mailbox ? isMailboxBanned(this.env.SNAPSHOTS, mailbox) : false;
  }

  /** Inside a transaction: the hold closes (unless the box shipped), and with it any claim of its address. */
  private closeHold(): void {
    this.hold.close();
    if (this.hold.state()) return;
    const release = this.address.give();
    if (release) this.outbox.add("address_release", release);
  }

  /** An organiser retries the disqualification email; false once the entrant is no longer disqualified. */
  private async resendDisqualified(): Promise<boolean> {
    const queued = this.ctx.storage.transactionSync(() => {
      const profile = this.profile();
      const seq = this.sql<Eligibility>`SELECT disqualified, seq FROM eligibility`.toArray()[0]?.seq;
      if (!profile || !this.disqualified() || seq === undefined) return false;
      this.email({ template: "disqualified", key: emailKey(this.id, "disqualified", `${seq}-${Date.now()}`), to: profile.email, firstname: profile.firstname });
      return true;
    });
    if (queued) await this.outbox.afterCommit();
    return queued;
  }

  /**
   * Takes the counter's word on this registrant's place. A new award opens a prize hold: a
   * shipping link by email, a reminder halfway and an expiry at the end. A revoke closes it.
   */
  private async applyPrize(update: PrizeUpdate): Promise<void> {
    const link = await shippingLink();
    const { holdDays, revokeUndoMinutes } = requireConfig(this.env);
    const holdMs = holdDays * DAY_MS;
    const now = Date.now();
    const outcome = this.ctx.storage.transactionSync(() => {
      const previous = this.sql<{ seq: number; status: string }>`SELECT seq, status FROM prize`.toArray()[0];
      const current = previous?.seq ?? 0;
      // An erased registrant keeps nothing, not even news from the counter.
      if (update.seq <= current || !this.row()) return null;
      const revokeNoticeAt = this.noteRevoke(update, previous?.status ?? null, now + revokeUndoMinutes * 60_000);
      this.sql`INSERT INTO prize (singleton, status, slot, position, seq, updated_at)
        VALUES (1, ${update.status}, ${update.slot}, ${update.position}, ${update.seq}, ${now})
        ON CONFLICT (singleton) DO UPDATE SET status = excluded.status, slot = excluded.slot,
          position = excluded.position, seq = excluded.seq, updated_at = excluded.updated_at`;
      let holdUntil: number | null = null;
      if (update.status === "awarded" && update.slot !== null) {
        holdUntil = now + holdMs;
        this.hold.open(update.slot, update.seq, link, holdUntil, { promoted: previous?.status === "waitlisted" });
      } else if (update.status === "revoked") {
        this.closeHold();
      }
      // A provisional slot waits out its review window; no winner email before it ends.
      const reviewUntil = update.status === "provisional" ? now + requireConfig(this.env).firstComeReviewHours * HOUR_MS : null;
      this.sql`UPDATE prize SET review_until = ${reviewUntil}`;
      if (reviewUntil !== null) this.forfeitIfUnderReview();
      this.index(now);
      return { holdUntil, reviewUntil, revokeNoticeAt };
    });
    if (!outcome) return;
    await this.alarms.set("hold_reminder", outcome.holdUntil === null ? null : now + holdMs / 2);
    await this.alarms.set("hold_expiry", outcome.holdUntil);
    await this.alarms.set("review_end", outcome.reviewUntil);
    await this.alarms.set("revoke_notice", outcome.revokeNoticeAt);
    void this.outbox.afterCommit();
  }

  /**
   * Inside applyPrize's transaction: a revoke of a prize this registrant held (not a hold
   * that expired, which has its own email) waits `dueAt` with its notice, unless the
   * organiser said not to notify; a new award drops a notice still waiting (the revoke was
   * undone). When the notice is due, or null.
   */
  private noteRevoke(update: PrizeUpdate, previous: string | null, dueAt: number): number | null {
    if (update.status === "awarded") this.sql`DELETE FROM revoke_notice WHERE sent_at IS NULL`;
    const expired = this.hold.state()?.status === "expired";
    if (update.status !== "revoked" || previous !== "awarded" || update.notify === false || expired) {
      return this.sql<{ due_at: number }>`SELECT due_at FROM revoke_notice WHERE sent_at IS NULL`.toArray()[0]?.due_at ?? null;
    }
    this.sql`INSERT INTO revoke_notice (singleton, seq, reason, due_at) VALUES (1, ${update.seq}, ${update.reason ?? null}, ${dueAt})
      ON CONFLICT (singleton) DO UPDATE SET seq = excluded.seq, reason = excluded.reason, due_at = excluded.due_at, sent_at = NULL`;
    return dueAt;
  }

  /**
   * Inside a transaction: queues this registrant's row for the judges' index, with a new
   * version so that it replaces any older one.
   */
  private index(now: number): void {
    // Versions are clock readings (and never repeat), so they also rise across an erasure:
    // a registrant who signs up again outranks the tombstone their erasure left.
    const version = this.sql<{ index_version: number }>`
      UPDATE registrant SET index_version = MAX(index_version + 1, ${now}) RETURNING index_version`.toArray()[0]?.index_version;
    if (version !== undefined) this.outbox.add("index", this.projectRow(version), now);
  }

  /** The registrant as the judges' index shows it, at `version`. */
  private projectRow(version: number): EntryRow {
    const row = this.sql<{ email: string; mailbox: string; firstname: string; lastname: string; created_at: number }>`
      SELECT email, mailbox, firstname, lastname, created_at FROM registrant`.one();
    const eligibility = this.sql<{ changed_at: number; disqualified: number }>`SELECT changed_at, disqualified FROM eligibility`.toArray()[0];
    const address = this.address.state();
    const first = this.sql<{ submitted_at: number }>`SELECT submitted_at FROM submission_version WHERE version = 1`.toArray()[0];
    const latest = this.versions(1)[0];
    const prize = this.prize();
    const shipping = this.hold.state();
    const holdsSlot = prize?.status === "awarded" || prize?.status === "provisional";
    const reviewUntil = this.sql<{ review_until: number | null }>`SELECT review_until FROM prize`.toArray()[0]?.review_until ?? null;
    return {
      id: this.id,
      version,
      email: row.email,
      firstname: row.firstname,
      lastname: row.lastname,
      status: holdsSlot ? "winner" : prize?.status === "waitlisted" ? "waitlisted" : latest ? "submitted" : "registered",
      registered_at: row.created_at,
      submitted_at: first?.submitted_at ?? null,
      amended_at: latest && latest.version > 1 ? latest.submittedAt : null,
      submission_version: latest?.version ?? null,
      title: latest?.title ?? null,
      description: latest?.description ?? null,
      repo_url: latest?.repo_url ?? null,
      demo_url: latest?.demo_url ?? null,
      products: JSON.stringify(latest?.products ?? []),
      slot: holdsSlot ? prize.slot : null,
      waitlist_position: prize?.status === "waitlisted" ? prize.position : null,
      shipping_status: shipping?.status ?? null,
      hold_expires_at: shipping?.holdExpiresAt ?? null,
      shipping_address: shipping?.address ? JSON.stringify(shipping.address) : null,
      tracking_url: shipping?.trackingUrl ?? null,
      mailbox: row.mailbox || row.email,
      disqualified_at: eligibility?.disqualified ? eligibility.changed_at : null,
      address_review: address.status,
      address_peers: JSON.stringify(address.peers),
      provisional_until: prize?.status === "provisional" ? reviewUntil : null,
      showcase: this.showcase() ? 1 : 0,
    };
  }

  private versions(limit = -1): SubmissionVersion[] {
    return this.sql<VersionRow>`SELECT * FROM submission_version ORDER BY version DESC LIMIT ${limit}`
      .toArray()
      .map((row) => ({
        version: row.version,
        submittedAt: row.submitted_at,
        title: row.title,
        description: row.description,
        repo_url: row.repo_url,
        demo_url: row.demo_url,
        products: JSON.parse(row.products),
        confirm_original: true,
      }));
  }

  private email(job: EmailJob): void {
    this.outbox.add("email", job);
  }
}
