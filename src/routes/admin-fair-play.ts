/**
 * The judges' API for one box per person: an entry's identity and review state, judges'
 * flags for organiser review and their queue, disqualifying and reinstating, the ban list,
 * and the winners who gave the same postal address.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { decodeCursor, encodeCursor } from "../judges/cursor";
import { isBlind } from "../judges/blind";
import { scoresFor } from "../judges/scores";
import { prizeCounter } from "../objects/stubs";
import { BannedDomain, mailboxHash, Reason, type BanRequest } from "../schemas/bans";
import { EmailAddress, fieldErrors, Text } from "../schemas/fields";
import { canonicalMailbox } from "../schemas/mailbox";
import { recordAudit } from "../store/audit";
import { isMailboxBanned } from "../store/ban-snapshot";
import { reofferCandidates } from "../store/entries-index";
import { flagEntry, flagsFor, openFlags, resolveFlags } from "../store/review-flags";
import { entryId, indexedEntry, parseQuery, type AdminRequest } from "./admin-request";

/** The body against `schema`, or 422 naming each bad field. */
async function body<T extends v.GenericSchema>(request: AdminRequest, schema: T, what: string): Promise<v.InferOutput<T>> {
  const parsed = v.safeParse(schema, await readFields(request, request.config.maxBodyBytes));
  if (!parsed.success) throw new HttpError(422, "invalid", `${what} needs correcting.`, fieldErrors(parsed.issues));
  return parsed.output;
}

function registrant(env: Env, id: string) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromString(id));
}

/** Who may take a slot a disqualification frees, best first (judged), as for an expired hold. */
async function candidatesFor(request: AdminRequest, env: Env, id: string): Promise<string[]> {
  return request.config.awardPolicy === "judged" && request.config.reofferExpired ? reofferCandidates(env.DB, id) : [];
}

/** 409 `banned` when the ban list names the entry's mailbox or its domain: a banned entrant wins nothing. */
export async function refuseBannedEntry(env: Env, row: Record<string, unknown>): Promise<void> {
  if (await isMailboxBanned(env.SNAPSHOTS, String(row.mailbox || row.email))) {
    throw new HttpError(409, "banned", "This entrant's address or domain is banned: lift the ban first.");
  }
}

// ---- one entry ----

/**
 * GET /admin/api/entries/:id/review — identity ("registered as" and the canonical
 * mailbox), judges' flags, and for organisers the disqualification record and the other
 * winners who gave the same postal address. Read from the Registrant and the PrizeCounter,
 * not the index, so a change made a moment ago shows at once.
 */
export async function entryReview(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const organiser = request.judge.role === "organiser";
  const [view, flags, disqualification] = await Promise.all([
    registrant(env, id).adminView(),
    flagsFor(env.DB, id),
    organiser ? prizeCounter(env).disqualification(id) : null,
  ]);
  if (!view) throw new HttpError(404, "not_found", "This entrant was erased.");
  const peers = organiser ? await peerEntries(env, view.address.peers) : [];
  // Under blind judging, who entered (and what other judges wrote) waits for this judge's score.
  const blind = isBlind(request.config, request.judge) && !(await scoresFor(env.DB, id)).some((score) => score.judge === request.judge.name);
  return json({
    identity: blind ? null : { registeredAs: view.profile.email, mailbox: view.mailbox || view.profile.email },
    // The counter decides; its word reaches the registrant a moment later.
    disqualified: disqualification ? disqualification.disqualified : view.disqualified,
    disqualification,
    flags: blind ? flags.filter((flag) => flag.judge === request.judge.name) : flags,
    address: { review: view.address.status, peers },
  });
}

async function peerEntries(env: Env, ids: string[]): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  const { results } = await env.DB.prepare(
    `SELECT id, firstname, lastname, email, status, shipping_status, address_review, disqualified_at FROM entries
     WHERE id IN (${ids.map(() => "?").join(", ")})`,
  )
    .bind(...ids)
    .all();
  return results;
}

const FlagBody = v.object({ note: Text("note", 2000) });

/** PUT /admin/api/entries/:id/flag — this judge flags the entry for organiser review, with a note. */
export async function flag(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const { note } = await body(request, FlagBody, "The flag");
  return json(await flagEntry(env.DB, request.judge, id, note));
}

/** DELETE /admin/api/entries/:id/flag — an organiser resolves the entry's open flags. */
export async function resolveFlag(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const resolved = await resolveFlags(env.DB, request.judge, id);
  if (resolved === 0) throw new HttpError(409, "nothing_to_review", "This entry has no open flag.");
  return json({ resolved });
}

const DisqualifyBody = v.object({ reason: Reason });

/**
 * POST /admin/api/entries/:id/disqualify — the PrizeCounter disqualifies the entry: its
 * prize is revoked (and re-offered per REOFFER_EXPIRED), and it can no longer win by any
 * route. The reason is audited; the entrant is emailed.
 */
export async function disqualify(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const { reason } = await body(request, DisqualifyBody, "The disqualification");
  const result = await prizeCounter(env).disqualify(id, request.judge.name, reason, await candidatesFor(request, env, id));
  if (!result.ok) throw new HttpError(409, "already_disqualified", "This entry is disqualified already.");
  await recordAudit(env.DB, request.judge, "disqualify", id, { reason, revokedSlot: result.revokedSlot, reofferedTo: result.reofferedTo });
  return json({ disqualified: true, revokedSlot: result.revokedSlot, reofferedTo: result.reofferedTo });
}

const ReinstateBody = v.object({ reason: v.optional(v.pipe(v.string("reason must be text"), v.trim(), v.maxLength(1000, "reason must be at most 1000 characters")), "") });

/** POST /admin/api/entries/:id/reinstate — lifts a disqualification (a revoked prize stays revoked), audited. */
export async function reinstate(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const { reason } = await body(request, ReinstateBody, "The reinstatement");
  if (!(await prizeCounter(env).reinstate(id, request.judge.name))) throw new HttpError(409, "not_disqualified", "This entry is not disqualified.");
  await recordAudit(env.DB, request.judge, "reinstate", id, { reason });
  return json({ disqualified: false });
}

/** POST /admin/api/entries/:id/clear-address — an organiser lets a winner's box go to the vendor's list though another winner gave the same address. */
export async function clearAddress(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  if (!(await registrant(env, id).clearAddressReview())) throw new HttpError(409, "nothing_to_review", "No other winner's address waits for review with this one.");
  await recordAudit(env.DB, request.judge, "clear_address", id);
  return json({ address_review: "cleared" });
}

// ---- bans ----

const BanEntryBody = v.object({ reason: Reason });

/** POST /admin/api/entries/:id/ban — bans the entrant's mailbox (kept as its hash) and disqualifies them. */
export async function banEntry(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const row = await indexedEntry(env, id);
  const { reason } = await body(request, BanEntryBody, "The ban");
  const mailbox = String(row.mailbox || row.email);
  if (!mailbox.includes("@")) throw new HttpError(409, "nothing_to_review", "This entrant was erased: there is no mailbox to ban.");
  return ban(request, env, { kind: "mailbox", hash: await mailboxHash(mailbox), registrantId: id, reason });
}

const BanBody = v.variant(
  "kind",
  [
    v.object({ kind: v.literal("mailbox"), value: EmailAddress, reason: Reason }),
    v.object({ kind: v.literal("domain"), value: BannedDomain, reason: Reason }),
  ],
  "kind is mailbox or domain",
);

/**
 * POST /admin/api/bans — bans a mailbox (any spelling of it; kept only as the hash of the
 * canonical mailbox, whose registrant is disqualified) or a whole domain.
 */
export async function addBan(request: AdminRequest, env: Env): Promise<Response> {
  const input = await body(request, BanBody, "The ban");
  if (input.kind === "domain") return ban(request, env, { kind: "domain", domain: input.value, reason: input.reason });
  const mailbox = canonicalMailbox(input.value, request.config.emailCanonical);
  const registrantId = env.REGISTRANT.idFromName(mailbox).toString();
  return ban(request, env, { kind: "mailbox", hash: await mailboxHash(mailbox), registrantId, reason: input.reason });
}

async function ban(request: AdminRequest, env: Env, ban: BanRequest): Promise<Response> {
  const target = ban.kind === "mailbox" ? ban.registrantId : null;
  const result = await prizeCounter(env).ban(ban, request.judge.name, target ? await candidatesFor(request, env, target) : []);
  if (result.added) {
    const detail = ban.kind === "mailbox" ? { kind: ban.kind, hash: ban.hash, reason: ban.reason } : { kind: ban.kind, domain: ban.domain, reason: ban.reason };
    await recordAudit(env.DB, request.judge, "ban", target, { ...detail, ban: result.id });
  }
  return json({ id: result.id, added: result.added, disqualified: result.disqualified?.ok ?? false }, result.added ? 201 : 200);
}

/** GET /admin/api/bans — the ban list, newest first; mailboxes only as hashes. */
export async function bans(_request: AdminRequest, env: Env): Promise<Response> {
  return json({ bans: await prizeCounter(env).bans() });
}

const BanId = v.pipe(v.string(), v.regex(/^\d{1,15}$/, "The ban id is a whole number"), v.transform(Number), v.minValue(1, "The ban id is a whole number"));

/** DELETE /admin/api/bans/:id — lifts a ban (a disqualification made with it stays until reinstated), audited. */
export async function liftBan(request: AdminRequest, env: Env): Promise<Response> {
  const parsed = v.safeParse(BanId, request.params.id);
  if (!parsed.success || !(await prizeCounter(env).unban(parsed.output))) throw new HttpError(404, "not_found", "There is no ban with that id.");
  await recordAudit(env.DB, request.judge, "unban", null, { ban: parsed.output });
  return json({ lifted: true });
}

// ---- queues ----

const FlagCursor = v.tuple([v.number(), v.string(), v.string()]);

const FlagsQuery = v.object({
  cursor: v.optional(v.string()),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1, "limit is at least 1"), v.maxValue(500, "limit is at most 500")),
    "100",
  ),
});

/** GET /admin/api/flags — the organisers' queue of open flags, oldest first, a page at a time. */
export async function flagQueue(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(FlagsQuery, request);
  const after = query.cursor ? decodeCursor(query.cursor, FlagCursor) : null;
  const rows = await openFlags(env.DB, after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return json({ flags: page, next: rows.length > query.limit && last ? encodeCursor([last.flagged_at, last.entry_id, last.judge]) : null });
}

const PairsQuery = v.object({ status: v.optional(v.picklist(["pending", "cleared"], "status is pending or cleared")) });

type PeerRow = { id: string; firstname: string; lastname: string; email: string; status: string; shipping_status: string | null; address_review: string | null; address_peers: string; disqualified_at: number | null };

/**
 * GET /admin/api/address-pairs — the winners who gave the same postal address, as groups
 * (two entries, or more), those still waiting for an organiser first. Never the address.
 */
export async function addressPairs(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(PairsQuery, request);
  const { results } = await env.DB.prepare(
    `SELECT id, firstname, lastname, email, status, shipping_status, address_review, address_peers, disqualified_at FROM entries
     WHERE address_review IS NOT NULL ORDER BY registered_at, id LIMIT 1000`,
  ).all<PeerRow>();
  const byId = new Map(results.map((row) => [row.id, row]));
  const groups = new Map<string, PeerRow[]>();
  for (const row of results) {
    const ids = [row.id, ...(JSON.parse(row.address_peers) as string[])].sort();
    const key = ids.join(",");
    if (!groups.has(key)) groups.set(key, ids.flatMap((id) => byId.get(id) ?? []).map(({ address_peers: _, ...entry }) => entry as PeerRow));
  }
  const all = [...groups.values()].map((entries) => ({ pending: entries.some((entry) => entry.address_review === "pending"), entries }));
  const wanted = query.status ? all.filter((group) => group.pending === (query.status === "pending")) : all;
  return json({ groups: wanted.sort((a, b) => Number(b.pending) - Number(a.pending)) });
}
