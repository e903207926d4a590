import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { unsubscribeUrl } from "../../src/announcements/announcements";
import { loadConfig } from "../../src/config";
import { mailbox, ORIGIN, send } from "../helpers";
import { admin, entrant, indexed, JUDGE } from "../judges/helpers";


interface Progress { queued: number; sent: number; failed: number; pending: number }
interface AnnouncementAnswer { id: number; status: string; recipients: number; progress: Progress | null }

async function draft(segment: string, subject: string, body = "Hello **everyone**: one week left.") {
  const response = await admin("/admin/api/announcements", { method: "POST", json: { subject, body, segment } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { announcement: AnnouncementAnswer }).announcement;
}

/** Waits until the send is confirmed from the email log: every recipient's email settled. */
function done(id: number): Promise<AnnouncementAnswer> {
  return vi.waitFor(
    async () => {
      const { announcement } = (await (await admin(`/admin/api/announcements/${id}`)).json()) as { announcement: AnnouncementAnswer };
      if (announcement.status !== "done") throw new Error(`announcement ${id} is ${announcement.status}: ${JSON.stringify(announcement.progress)}`);
      return announcement;
    },
    { timeout: 60_000, interval: 250 },
  );
}

async function received(email: string, subject: string) {
  return (await mailbox()).filter((e) => e.to === email && e.subject.includes(subject));
}

async function submitter(email: string, firstname = "Ada") {
  const { id } = await entrant(email, { title: `Entry of ${email}` }, firstname);
  await indexed(id, (row) => row.submission_version === 1);
  return id;
}

describe("announcements", { timeout: 90_000 }, () => {
  it("previews with a real entrant, counts, test-sends, then sends once to each subscribed recipient of the segment", async () => {
    const ids = [await submitter("ann-one@example.com", "Grace"), await submitter("ann-two@example.com"), await submitter("ann-gone@example.com")];
    const { id: registeredOnly } = await entrant("ann-registered@example.com");
    await indexed(registeredOnly);
    // One of them unsubscribed, with the link of an earlier announcement (the one-click POST).
    const link = new URL(await unsubscribeUrl(loadConfigOk(), loadConfigOk().unsubscribeSecret!, ids[2]!));
    expect((await send(`${link.pathname}${link.search}`, { method: "POST", form: { "List-Unsubscribe": "One-Click" } })).status).toBe(200);

    const created = await draft("submitted", "One week left");
    expect(created).toMatchObject({ status: "draft", progress: null });
    const preview = (await (await admin(`/admin/api/announcements/${created.id}/preview?entrant=${ids[0]}`)).json()) as {
      count: number; sample: { firstname: string }; email: { subject: string; text: string; html: string; headers: Record<string, string> };
    };
    expect(preview.sample.firstname).toBe("Grace");
    expect(preview.email.text).toContain("Hi Grace,");
    expect(preview.email.html).toContain("Hello <strong>everyone</strong>");
    expect(preview.email.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(preview.email.headers["List-Unsubscribe"]).toContain(`/unsubscribe?id=${ids[0]}&sig=`);
    const html = await admin(`/admin/api/announcements/${created.id}/preview.html`);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");

    const test = await admin(`/admin/api/announcements/${created.id}/test`, { method: "POST", json: { to: "organiser@example.com" } });
    expect(test.status).toBe(202);
    await vi.waitFor(async () => expect(await received("organiser@example.com", "[Test] One week left")).toHaveLength(1), { timeout: 10_000 });

    const sent = await admin(`/admin/api/announcements/${created.id}/send`, { method: "POST", json: {} });
    expect(sent.status).toBe(202);
    expect(((await sent.json()) as { announcement: AnnouncementAnswer }).announcement.recipients).toBe(preview.count);
    const finished = await done(created.id);
    expect(finished.progress).toEqual({ queued: preview.count, sent: preview.count, failed: 0, pending: 0 });

    // A repeated send changes nothing and sends nothing.
    const again = await admin(`/admin/api/announcements/${created.id}/send`, { method: "POST", json: {} });
    expect(again.status).toBe(200);
    expect(await received("ann-one@example.com", "One week left")).toHaveLength(1);
    expect(await received("ann-two@example.com", "One week left")).toHaveLength(1);
    expect(await received("ann-gone@example.com", "One week left")).toHaveLength(0);
    expect(await received("ann-registered@example.com", "One week left")).toHaveLength(0);

    const [email] = await received("ann-one@example.com", "One week left");
    expect(email!.text).toContain(`Stop the announcements: ${ORIGIN}/unsubscribe?id=${ids[0]}&sig=`);
    const raw = (await (await send("/dev/mailbox?to=ann-one@example.com", { acceptJson: true })).json()) as { emails: { subject: string; headers: Record<string, string> }[] };
    expect(raw.emails.find((e) => e.subject === "One week left")!.headers).toMatchObject({ "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });

    const audit = (await (await admin("/admin/api/audit?action=announcement_send")).json()) as { entries: { detail: { announcement: number } }[] };
    expect(audit.entries.filter((e) => e.detail.announcement === created.id)).toHaveLength(1);
    const edit = await admin(`/admin/api/announcements/${created.id}`, { method: "PUT", json: { subject: "Changed", body: "x", segment: "everyone" } });
    expect(edit.status).toBe(409);
  });

  it("never goes to a disqualified entrant", async () => {
    const cheat = await submitter("ann-cheat@example.com");
    const before = (await draft("submitted", "Before the disqualification")).recipients;
    expect((await admin(`/admin/api/entries/${cheat}/disqualify`, { method: "POST", json: { reason: "Two accounts, one person" } })).status).toBe(200);
    await indexed(cheat, (row) => row.disqualified_at !== null);
    expect((await draft("submitted", "After the disqualification")).recipients).toBe(before - 1);
  });

  it("goes to one segment at a time: winners only, the not yet shipped, those who never submitted", async () => {
    const winner = await submitter("ann-winner@example.com");
    expect((await admin(`/admin/api/entries/${winner}/award`, { method: "POST" })).status).toBe(201);
    await indexed(winner, (row) => row.status === "winner");
    const counts: Record<string, number> = {};
    for (const segment of ["everyone", "registered", "submitted", "winners", "waitlist", "unshipped"]) {
      const created = await draft(segment, `Count ${segment}`);
      counts[segment] = created.recipients;
    }
    const { n: winners } = (await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE status = 'winner'").first<{ n: number }>())!;
    const { n: everyone } = (await env.DB.prepare("SELECT COUNT(*) AS n FROM entries e WHERE status != 'erased' AND disqualified_at IS NULL AND NOT EXISTS (SELECT 1 FROM unsubscribes u WHERE u.registrant_id = e.id)").first<{ n: number }>())!;
    expect(counts.winners).toBe(winners);
    expect(counts.unshipped).toBe(winners);
    expect(counts.everyone).toBe(everyone);
    expect(counts.registered! + counts.submitted!).toBe(everyone);
    expect(counts.waitlist).toBe(0);
  });

  it("sends one at a time, needs UNSUBSCRIBE_SECRET, is for organisers, and refuses a bad draft naming each field", async () => {
    const first = await draft("waitlist", "First");
    await env.DB.prepare("UPDATE announcements SET status = 'sending' WHERE id = ?").bind(first.id).run();
    const second = await draft("waitlist", "Second");
    const busy = await admin(`/admin/api/announcements/${second.id}/send`, { method: "POST", json: {} });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ error: "announcement_running" });
    await env.DB.prepare("UPDATE announcements SET status = 'done' WHERE id = ?").bind(first.id).run();

    const noSecret = await send(`/admin/api/announcements/${second.id}/send`, { method: "POST", json: {}, acceptJson: true, headers: { authorization: "Bearer dev-organiser-token" }, vars: { UNSUBSCRIBE_SECRET: undefined } });
    expect(noSecret.status).toBe(409);
    expect(await noSecret.json()).toMatchObject({ error: "unsubscribe_unavailable" });
    expect((await admin("/admin/api/announcements", { token: JUDGE })).status).toBe(403);

    const bad = await admin("/admin/api/announcements", { method: "POST", json: { subject: "Two\nlines", body: "", segment: "friends" } });
    expect(bad.status).toBe(422);
    expect(Object.keys(((await bad.json()) as { fields: object }).fields).sort()).toEqual(["body", "segment", "subject"]);
  });
});

describe("an announcement that failed somewhere", { timeout: 90_000 }, () => {
  it("sends a failed email again under a new key when an organiser retries it, and its progress follows", async () => {
    const id = await submitter("ann-retry@example.com");
    await env.DB.prepare("UPDATE entries SET status = 'waitlisted' WHERE id = ?").bind(id).run();
    const created = await draft("waitlist", "Retried news");
    expect((await admin(`/admin/api/announcements/${created.id}/send`, { method: "POST", json: {} })).status).toBe(202);
    await done(created.id);
    const [first] = await received("ann-retry@example.com", "Retried news");
    await env.DB.prepare("UPDATE email_log SET status = 'dead' WHERE key = ?").bind(first!.key).run();
    expect((await admin(`/admin/api/emails/${encodeURIComponent(first!.key)}/retry`, { method: "POST" })).status).toBe(202);
    await vi.waitFor(async () => expect(await received("ann-retry@example.com", "Retried news")).toHaveLength(2), { timeout: 10_000 });
    const copies = await received("ann-retry@example.com", "Retried news");
    expect(new Set(copies.map((e) => e.key)).size).toBe(2);
    await vi.waitFor(async () => {
      const { announcement } = (await (await admin(`/admin/api/announcements/${created.id}`)).json()) as { announcement: AnnouncementAnswer };
      expect(announcement.progress).toMatchObject({ sent: announcement.recipients, failed: 0 });
    }, { timeout: 10_000 });
  });

  it("carries a dead step on from where the send is, when an organiser retries it", async () => {
    const created = await draft("waitlist", "Stalled news");
    await env.DB.prepare("UPDATE announcements SET status = 'confirming', started_at = 1 WHERE id = ?").bind(created.id).run();
    const { id: letter } = (await env.DB.prepare(
      "INSERT INTO dead_letters (topic, key, origin, reason, attempts, status, created_at, updated_at) VALUES ('announcement', ?, ?, 'ran out of queue retries', 10, 'open', 1, 1) RETURNING id",
    ).bind(`${created.id}:confirm@start`, String(created.id)).first<{ id: number }>())!;
    expect((await admin(`/admin/api/dead-letters/${letter}/retry`, { method: "POST" })).status).toBe(202);
    await done(created.id);
  });
});

describe("unsubscribing", { timeout: 30_000 }, () => {
  it("asks first on the link, unsubscribes on the form or one-click POST, and refuses a link made for someone else", async () => {
    const id = await submitter("unsub-me@example.com");
    const other = await submitter("unsub-other@example.com");
    const link = new URL(await unsubscribeUrl(loadConfigOk(), loadConfigOk().unsubscribeSecret!, id));
    const path = `${link.pathname}${link.search}`;
    const page = await send(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Stop the announcements?");
    expect(await env.DB.prepare("SELECT 1 FROM unsubscribes WHERE registrant_id = ?").bind(id).first()).toBeNull();

    const forged = `/unsubscribe?id=${other}&sig=${link.searchParams.get("sig")}`;
    expect((await send(forged)).status).toBe(404);
    expect((await send(forged, { method: "POST", form: { "List-Unsubscribe": "One-Click" } })).status).toBe(404);
    expect((await send("/unsubscribe?id=nonsense&sig=x")).status).toBe(404);

    const done = await send(path, { method: "POST", form: { id, sig: link.searchParams.get("sig")! } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("You are unsubscribed");
    expect(await env.DB.prepare("SELECT 1 AS yes FROM unsubscribes WHERE registrant_id = ?").bind(id).first()).toEqual({ yes: 1 });
    expect(await env.DB.prepare("SELECT 1 FROM unsubscribes WHERE registrant_id = ?").bind(other).first()).toBeNull();

    // Transactional emails still come: a new link, asked for.
    const before = (await mailbox()).filter((e) => e.to === "unsub-me@example.com").length;
    const { code } = await entrant("unsub-me@example.com");
    expect((await send("/submit", { acceptJson: true, form: { code, title: "Again", description: "d", repo_url: "https://github.com/a/b", demo_url: "https://a.example", products: ["workers", "kv"], confirm_original: "on" } })).status).toBe(200);
    await vi.waitFor(async () => expect((await mailbox()).filter((e) => e.to === "unsub-me@example.com").length).toBeGreaterThan(before), { timeout: 10_000 });
  });
});

function loadConfigOk() {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error("invalid test configuration");
  return loaded.config;
}
