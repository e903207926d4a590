import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { normaliseUrl } from "../../src/links/normalise";
import { sharedLink } from "../../src/objects/stubs";
import { captureLinkCodes, send, signUp, validSubmission } from "../helpers";
import { admin, entrant, indexed } from "../judges/helpers";

afterEach(() => vi.restoreAllMocks());

type Shared = { id: string; links: { url: string; kind: string }[] };

async function sharedIds(): Promise<string[]> {
  const response = await admin("/admin/api/entries?check=shared&limit=200");
  return ((await response.json()) as { entries: { id: string }[] }).entries.map((entry) => entry.id).sort();
}

async function sharedWith(id: string): Promise<Shared[]> {
  return ((await (await admin(`/admin/api/entries/${id}`)).json()) as { shared: Shared[] }).shared;
}

/** Waits until every one of `ids` is flagged as sharing a link (`sharing`), or none of them is. */
function flagged(ids: string[], sharing = true) {
  return vi.waitFor(
    async () => {
      const shared = new Set(await sharedIds());
      expect(ids.filter((id) => shared.has(id) !== sharing)).toEqual([]);
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe("copies: links another entrant also submitted", () => {
  it("flag all 50 of 50 entrants who submit one repository at the same instant, however they spell it", async () => {
    const codes = captureLinkCodes();
    const emails = Array.from({ length: 50 }, (_, i) => `copy-${i}@example.com`);
    await Promise.all(emails.map((email) => signUp(email)));
    const linkCodes = await Promise.all(emails.map((email) => codes.get(email)));
    const spellings = [
      "https://github.com/copycat/same-project",
      "https://www.github.com/CopyCat/Same-Project.git",
      "http://github.com/copycat/same-project/?tab=readme#top",
      "https://github.com/copycat/same-project/tree/main",
    ];
    const responses = await Promise.all(
      linkCodes.map((code, i) =>
        send("/submit", { acceptJson: true, form: validSubmission(code, { repo_url: spellings[i % spellings.length]!, demo_url: `https://demo-${i}.example.dev/` }) }),
      ),
    );
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
    const ids = emails.map((email) => env.REGISTRANT.idFromName(email).toString());

    // The URL's object decided, exactly: every one of them holds it.
    await vi.waitFor(async () => expect((await sharedLink(env, "github.com/copycat/same-project").owners())?.owners).toHaveLength(50), { timeout: 15_000 });
    await flagged(ids);
    const others = await sharedWith(ids[0]!);
    expect(others.map((other) => other.id).sort()).toEqual(ids.slice(1).sort());
    expect(others[0]!.links).toEqual([{ url: "github.com/copycat/same-project", kind: "repo" }]);
  }, 60_000);

  it("flag a demo that is another entrant's repository or demo, and let go when an amendment changes the link", { timeout: 30_000 }, async () => {
    const ada = await entrant("ada-original@example.com", { repo_url: "https://github.com/ada/original", demo_url: "https://original.example.dev/" });
    const bob = await entrant("bob-copy@example.com", { repo_url: "https://github.com/bob/own", demo_url: "https://Original.example.dev/?ref=bob" });
    await flagged([ada.id, bob.id]);
    expect(await sharedWith(bob.id)).toMatchObject([{ id: ada.id, links: [{ url: "original.example.dev", kind: "demo" }] }]);

    const amended = await send("/submit", { acceptJson: true, form: validSubmission(bob.code, { repo_url: "https://github.com/bob/own", demo_url: "https://bob.example.dev/" }) });
    expect(amended.status).toBe(200);
    await flagged([ada.id, bob.id], false);
    expect(await sharedWith(ada.id)).toEqual([]);
  });

  it("forget an erased entrant: their checks and their claims on links are gone, and nobody shares with them", { timeout: 30_000 }, async () => {
    const carol = await entrant("carol-keeps@example.com", { repo_url: "https://github.com/shared/thing", demo_url: "https://carol.example.dev/" });
    const dave = await entrant("dave-erased@example.com", { repo_url: "https://github.com/Shared/Thing", demo_url: "https://dave.example.dev/" });
    await flagged([carol.id, dave.id]);
    await vi.waitFor(async () => expect(await env.DB.prepare("SELECT 1 FROM link_checks WHERE entry_id = ?").bind(dave.id).first()).not.toBeNull());

    expect((await admin(`/admin/api/entries/${dave.id}`, { method: "DELETE" })).status).toBe(200);
    await indexed(dave.id, (row) => row.status === "erased");
    expect(await env.DB.prepare("SELECT 1 FROM link_checks WHERE entry_id = ?").bind(dave.id).first()).toBeNull();
    await flagged([carol.id, dave.id], false);
    expect(await env.DB.prepare("SELECT 1 FROM link_owners WHERE entry_id = ?").bind(dave.id).first()).toBeNull();
    const owners = await sharedLink(env, normaliseUrl("https://github.com/shared/thing")!).owners();
    expect(owners?.owners.map((owner) => owner.registrantId)).toEqual([carol.id]);
  });
});
