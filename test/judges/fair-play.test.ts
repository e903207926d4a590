import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import type { Registrant } from "../../src/objects/registrant";
import { BAN_SNAPSHOT_KEY, mailboxHash } from "../../src/schemas/bans";
import { emailsTo, registered, registrantId, registrantStub, send, signUp, validSubmission } from "../helpers";
import { admin, entrant, indexed, JUDGE } from "./helpers";

afterEach(() => vi.restoreAllMocks());

async function submitted(email: string) {
  const made = await entrant(email, { title: `Entry of ${email}` });
  await indexed(made.id, (row) => row.submission_version === 1);
  return made;
}

/** Waits until the ban list's KV snapshot says `ready`. */
function snapshot(ready: (bans: { mailboxes: string[]; domains: string[] }) => boolean) {
  return vi.waitFor(async () => {
    const bans = (await env.SNAPSHOTS.get(BAN_SNAPSHOT_KEY, "json")) as { mailboxes: string[]; domains: string[] } | null;
    if (!bans || !ready(bans)) throw new Error(`ban snapshot not there yet: ${JSON.stringify(bans)}`);
  });
}

describe("disqualifying an entry", () => {
  it("revokes the prize, blocks every award, emails the entrant once, shows in the list and the exports; reinstating is audited", { timeout: 30_000 }, async () => {
    const { id } = await submitted("cheat@example.com");
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
    const awarded = (await prizeCounter(env).getStatus()).awarded;

    expect((await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "x" }, token: JUDGE })).status).toBe(403);
    const refused = await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "  " } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ fields: { reason: "reason is required" } });
    const response = await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "Three accounts, one person" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ disqualified: true, revokedSlot: expect.any(Number) });
    expect((await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "again" } })).status).toBe(409);
    expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded - 1);

    const award = await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    expect(award.status).toBe(409);
    expect(await award.json()).toMatchObject({ error: "disqualified" });
    await prizeCounter(env).flushOutbox();
    const row = await indexed(id, (r) => r.disqualified_at !== null && r.status === "submitted");
    expect(row.slot).toBeNull();
    const [email] = await emailsTo("cheat@example.com", 3).then((all) => all.filter((e) => e.subject.startsWith("About your")));
    expect(email?.text).toContain("disqualified");
    expect(email?.text).not.toContain("Three accounts");
    expect((await emailsTo("cheat@example.com", 4, 1_000)).filter((e) => e.subject.startsWith("About your"))).toHaveLength(1);

    const list = (await (await admin("/admin/api/entries?review=disqualified&limit=200")).json()) as { entries: { id: string; disqualified_at: number }[] };
    expect(list.entries.map((e) => e.id)).toContain(id);
    const csv = await (await admin("/admin/api/export.csv?set=entries")).text();
    expect(csv.split("\r\n")[0]).toMatch(/,mailbox,disqualified,demo_check,/);
    expect(csv.split("\r\n").find((line) => line.startsWith(id))).toMatch(/,cheat@example\.com,disqualified,/);
    const review = (await (await admin(`/admin/api/entries/${id}/review`)).json()) as Record<string, unknown>;
    expect(review).toMatchObject({ disqualified: true, disqualification: { reason: "Three accounts, one person", by: "Dev Organiser" } });
    const asJudge = (await (await admin(`/admin/api/entries/${id}/review`, { token: JUDGE })).json()) as Record<string, unknown>;
    expect(asJudge).toMatchObject({ disqualified: true, disqualification: null });

    expect((await admin(`/admin/api/entries/${id}/reinstate`, { method: "POST", json: { reason: 7 } })).status).toBe(422);
    expect((await admin(`/admin/api/entries/${id}/reinstate`, { method: "POST", json: { reason: "Siblings, not one person" } })).status).toBe(200);
    expect((await admin(`/admin/api/entries/${id}/reinstate`, { method: "POST", json: {} })).status).toBe(409);
    await prizeCounter(env).flushOutbox();
    await indexed(id, (r) => r.disqualified_at === null);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
    const audit = (await (await admin("/admin/api/audit?limit=500")).json()) as { entries: { action: string; target: string; detail: Record<string, unknown> }[] };
    const ours = audit.entries.filter((entry) => entry.target === id).map((entry) => `${entry.action}:${String(entry.detail.reason ?? "")}`);
    expect(ours).toEqual(expect.arrayContaining(["disqualify:Three accounts, one person", "reinstate:Siblings, not one person"]));
  });

  it("a retried prize email sends no shipping link to a disqualified entrant; the disqualification email can be retried", async () => {
    const { id } = await submitted("no-retry@example.com");
    await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "Rules" } });
    await prizeCounter(env).flushOutbox();
    await indexed(id, (r) => r.disqualified_at !== null);
    expect(await registrantStub("no-retry@example.com").resendEmail("shipping_link")).toBe(false);
    expect(await registrantStub("no-retry@example.com").resendEmail("disqualified")).toBe(true);
  });
});

describe("the ban list", () => {
  it("refuses a banned mailbox in any spelling and a banned domain at signup, storing nothing, and the entrant's submissions", { timeout: 30_000 }, async () => {
    const before = (await listDurableObjectIds(env.REGISTRANT)).length;
    const banned = await admin("/admin/api/bans", { method: "POST", json: { kind: "mailbox", value: "Spam.Mer+1@gmail.com", reason: "Farmed accounts" } });
    expect(banned.status).toBe(201);
    expect(await banned.json()).toMatchObject({ added: true, disqualified: true });
    expect((await admin("/admin/api/bans", { method: "POST", json: { kind: "domain", value: "junk.example", reason: "Spam domain" } })).status).toBe(201);
    const hash = await mailboxHash("spammer@gmail.com");
    await snapshot((bans) => bans.mailboxes.includes(hash) && bans.domains.includes("junk.example"));

    for (const email of ["spammer@gmail.com", "s.p.a.m.m.e.r+2@googlemail.com", "anyone@junk.example", "anyone@eu.junk.example"]) {
      const response = await signUp(email, {}, { acceptJson: true });
      expect(response.status, email).toBe(403);
      expect(await response.json()).toMatchObject({ error: "banned", message: expect.stringContaining("may not take part") });
    }
    expect((await signUp("anyone@junk.example")).status).toBe(403);
    // Banning the mailbox disqualified its registrant at once: nothing else was made.
    expect((await listDurableObjectIds(env.REGISTRANT)).length).toBe(before + 1);
    await runInDurableObject(registrantStub("spammer@gmail.com"), (_: Registrant, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM registrant").one().n).toBe(0);
    });
    const list = (await (await admin("/admin/api/bans")).json()) as { bans: { kind: string; value: string }[] };
    expect(list.bans).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "mailbox", value: hash }), expect.objectContaining({ kind: "domain", value: "junk.example" })]));
    expect(JSON.stringify(list)).not.toContain("spammer");

    // An entrant registered before their domain was banned can no longer submit.
    const { code } = await entrant("early@late-ban.example");
    const { id: domainBan } = (await (await admin("/admin/api/bans", { method: "POST", json: { kind: "domain", value: "late-ban.example", reason: "Spam" } })).json()) as { id: number };
    await snapshot((bans) => bans.domains.includes("late-ban.example"));
    const refused = await send("/submit", { acceptJson: true, form: validSubmission(code) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "banned" });
    await runInDurableObject(registrantStub("early@late-ban.example"), (_: Registrant, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM submission_version").one().n).toBe(0);
    });
    expect((await admin(`/admin/api/bans/${domainBan}`, { method: "DELETE" })).status).toBe(200);
    expect((await admin(`/admin/api/bans/${domainBan}`, { method: "DELETE" })).status).toBe(404);
    await snapshot((bans) => !bans.domains.includes("late-ban.example"));
    expect((await send("/submit", { acceptJson: true, form: validSubmission(code) })).status).toBe(201);
  });

  it("lets a signup and a submission through when the ban list cannot be read, and logs it", async () => {
    const get = env.SNAPSHOTS.get.bind(env.SNAPSHOTS);
    vi.spyOn(env.SNAPSHOTS, "get").mockImplementation(((key: string, ...rest: never[]) =>
      key === BAN_SNAPSHOT_KEY ? Promise.reject(new Error("KV unavailable")) : get(key, ...rest)) as typeof env.SNAPSHOTS.get);
    const logged = vi.spyOn(console, "error");
    const code = await registered("kv-down@example.com");
    expect((await send("/submit", { acceptJson: true, form: validSubmission(code) })).status).toBe(201);
    expect(logged.mock.calls.flat().join(" ")).toContain("ban snapshot: unreadable, ignored: KV unavailable");
  });

  it("banning an entrant bans their mailbox as its hash and disqualifies them; erasure keeps only that hash", async () => {
    const { id } = await submitted("banned.entrant@gmail.com");
    await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    const response = await admin(`/admin/api/entries/${id}/ban`, { method: "POST", json: { reason: "Bought accounts" } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ disqualified: true });
    expect(await prizeCounter(env).disqualification(id)).toMatchObject({ disqualified: true, reason: "Bought accounts" });
    expect((await admin(`/admin/api/entries/${id}`, { method: "DELETE" })).status).toBe(200);
    const hash = await mailboxHash("bannedentrant@gmail.com");
    const bans = (await (await admin("/admin/api/bans")).json()) as { bans: { value: string; registrantId: string }[] };
    expect(bans.bans).toContainEqual(expect.objectContaining({ value: hash, registrantId: id }));
    await snapshot((snap) => snap.mailboxes.includes(hash));
    expect((await signUp("banned.entrant+again@gmail.com", {}, { acceptJson: true })).status).toBe(403);
    expect(await indexed(id, (row) => row.status === "erased")).toMatchObject({ email: "", mailbox: "" });
  });
});

describe("judges' flags for organiser review", () => {
  it("a judge flags with a note; organisers see the queue and the filter, and resolve it", async () => {
    const { id } = await submitted("flagged@example.com");
    expect((await admin(`/admin/api/entries/${id}/flag`, { method: "PUT", json: {}, token: JUDGE })).status).toBe(422);
    const flagged = await admin(`/admin/api/entries/${id}/flag`, { method: "PUT", json: { note: "Same demo as entry #12" }, token: JUDGE });
    expect(flagged.status).toBe(200);
    expect(await flagged.json()).toMatchObject({ judge: "Dev Judge", note: "Same demo as entry #12" });
    expect((await admin("/admin/api/flags", { token: JUDGE })).status).toBe(403);
    const queue = (await (await admin("/admin/api/flags")).json()) as { flags: { entry_id: string; note: string; email: string }[] };
    expect(queue.flags).toContainEqual(expect.objectContaining({ entry_id: id, note: "Same demo as entry #12", email: "flagged@example.com" }));
    const list = (await (await admin("/admin/api/entries?review=flagged&limit=200", { token: JUDGE })).json()) as { entries: { id: string; flags_open: number }[] };
    expect(list.entries).toContainEqual(expect.objectContaining({ id, flags_open: 1 }));
    const review = (await (await admin(`/admin/api/entries/${id}/review`, { token: JUDGE })).json()) as { identity: object; flags: object[] };
    expect(review).toMatchObject({ identity: { registeredAs: "flagged@example.com", mailbox: "flagged@example.com" }, flags: [{ note: "Same demo as entry #12" }] });

    expect((await admin(`/admin/api/entries/${id}/flag`, { method: "DELETE", token: JUDGE })).status).toBe(403);
    expect(await (await admin(`/admin/api/entries/${id}/flag`, { method: "DELETE" })).json()).toEqual({ resolved: 1 });
    expect((await admin(`/admin/api/entries/${id}/flag`, { method: "DELETE" })).status).toBe(409);
    const after = (await (await admin("/admin/api/flags")).json()) as { flags: { entry_id: string }[] };
    expect(after.flags.map((flag) => flag.entry_id)).not.toContain(id);
    expect(await indexed(id)).toMatchObject({ flags_open: 0 });
  });
});

describe("every new judges' route, given bad input", () => {
  const SOME = "f".repeat(64);

  it("answers 4xx naming the field and changes nothing", { timeout: 30_000 }, async () => {
    const { id } = await submitted("bad-input-target@example.com");
    const lastAudit = async () => (await env.DB.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM audit_log").first<{ id: number }>())!.id;
    const before = await lastAudit();
    const bans = JSON.stringify(await prizeCounter(env).bans());
    const cases: [string, string, unknown, number, string | null][] = [
      ["POST", `/admin/api/entries/${id}/disqualify`, {}, 422, "reason"],
      ["POST", `/admin/api/entries/${id}/disqualify`, { reason: "x".repeat(1001) }, 422, "reason"],
      ["POST", `/admin/api/entries/${id}/reinstate`, { reason: ["no"] }, 422, "reason"],
      ["POST", `/admin/api/entries/${id}/ban`, { reason: "" }, 422, "reason"],
      ["PUT", `/admin/api/entries/${id}/flag`, { note: "x".repeat(2001) }, 422, "note"],
      ["POST", "/admin/api/bans", { kind: "person", value: "a@b.example", reason: "x" }, 422, "kind"],
      ["POST", "/admin/api/bans", { kind: "mailbox", value: "not an address", reason: "x" }, 422, "value"],
      ["POST", "/admin/api/bans", { kind: "domain", value: "no-dot", reason: "x" }, 422, "value"],
      ["POST", "/admin/api/bans", { kind: "domain", value: "ok.example" }, 422, "reason"],
      ["GET", "/admin/api/flags?limit=0", undefined, 400, "limit"],
      ["GET", "/admin/api/flags?cursor=%%%", undefined, 400, null],
      ["GET", "/admin/api/address-pairs?status=maybe", undefined, 400, "status"],
      ["GET", "/admin/api/entries?review=suspicious", undefined, 400, "review"],
      ["DELETE", "/admin/api/bans/abc", undefined, 404, null],
      ["POST", `/admin/api/entries/${SOME}/disqualify`, { reason: "x" }, 404, null],
      ["POST", `/admin/api/entries/${SOME}/clear-address`, undefined, 404, null],
      ["GET", `/admin/api/entries/${SOME}/review`, undefined, 404, null],
    ];
    for (const [method, path, json, status, field] of cases) {
      const response = await admin(path, { method, json });
      expect(response.status, `${method} ${path}`).toBe(status);
      const body = (await response.json()) as { fields?: Record<string, string> };
      if (field) expect(Object.keys(body.fields ?? {}), `${method} ${path}`).toContain(field);
    }
    expect(await lastAudit()).toBe(before);
    expect(JSON.stringify(await prizeCounter(env).bans())).toBe(bans);
    expect(await prizeCounter(env).disqualification(id)).toBeNull();
  });
});

describe("a disqualified entrant's registration", () => {
  it("keeps its eligibility through a repeat signup under another spelling", async () => {
    const { id } = await submitted("twice.over@gmail.com");
    await admin(`/admin/api/entries/${id}/disqualify`, { method: "POST", json: { reason: "Rules" } });
    await prizeCounter(env).flushOutbox();
    await indexed(id, (r) => r.disqualified_at !== null);
    expect((await signUp("twiceover+new@gmail.com", {}, { acceptJson: true })).status).toBe(202);
    expect(registrantId("twiceover+new@gmail.com")).toBe(id);
    expect(await indexed(id)).toMatchObject({ email: "twice.over@gmail.com", mailbox: "twiceover@gmail.com" });
  });
});
