import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addressClaim } from "../../src/objects/stubs";
import type { Registrant } from "../../src/objects/registrant";
import { addressFingerprint, fingerprintInput } from "../../src/prizes/address-fingerprint";
import { registrantStub, send } from "../helpers";
import { admin, entrant, indexed, shippingCode } from "./helpers";

const ADDRESS = {
  name: "Ada Lovelace",
  address_line1: "12 Analytical Street",
  address_line2: "",
  city: "London",
  region: "",
  postal_code: "W1 2AB",
  country: "GB",
  phone: "",
  tshirt_size: "M",
};

/** The same door, spelled as different winners type it. */
const SPELLINGS = [
  ADDRESS,
  { ...ADDRESS, address_line1: "12, analytical st.", postal_code: "w12ab", country: "gb", address_line2: "Flat 2", name: "Someone Else" },
  { ...ADDRESS, address_line1: "12 ANALYTICAL  STREET", postal_code: "W1-2AB" },
];

async function winner(email: string) {
  const { id } = await entrant(email, { title: `Project of ${email}` });
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
  const code = await shippingCode(email);
  await indexed(id, (row) => row.shipping_status === "awaiting");
  return { id, code, email };
}

function giveAddress(code: string, fields: Record<string, string>, vars: Record<string, string> = {}) {
  return send("/shipping", { acceptJson: true, form: { code, ...fields }, vars });
}

function claimOf(fields: { country: string; postal_code: string; address_line1: string }) {
  return addressFingerprint("development-only-address-fingerprint-key", fields).then((fingerprint) => env.ADDRESS_CLAIM.idFromName(fingerprint).toString());
}

function storedAddress(email: string) {
  return runInDurableObject(registrantStub(email), (_: Registrant, state) => state.storage.sql.exec("SELECT address FROM shipping").toArray()[0]?.address ?? null);
}

describe("the address fingerprint", () => {
  it("meets for spellings of one door, and tells addresses apart", async () => {
    const inputs = new Set(SPELLINGS.map(fingerprintInput));
    expect(inputs.size).toBe(1);
    expect(fingerprintInput({ country: "DE", postal_code: "10115", address_line1: "Hauptstraße 5" })).toBe(
      fingerprintInput({ country: "de", postal_code: "10 115", address_line1: "Hauptstr. 5" }),
    );
    const other = [
      { ...ADDRESS, address_line1: "14 Analytical Street" },
      { ...ADDRESS, postal_code: "W1 2AC" },
      { ...ADDRESS, country: "IE" },
    ];
    for (const address of other) expect(fingerprintInput(address)).not.toBe(fingerprintInput(ADDRESS));
  });

  it("is a keyed hash: another key gives another fingerprint, and no part of the address shows", async () => {
    const one = await addressFingerprint("development-only-address-fingerprint-key", ADDRESS);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(await addressFingerprint("another-key-another-key-another-key", ADDRESS)).not.toBe(one);
    expect(one).not.toMatch(/w12ab|analytical/i);
  });
});

describe("one box per address, review", () => {
  it("two winners racing the same address (100 forms, two codes): both stored, exactly the pair flagged, held from the vendor's list until cleared", { timeout: 30_000 }, async () => {
    const [ada, bob, carol] = await Promise.all([winner("pair-a@example.com"), winner("pair-b@example.com"), winner("pair-c@example.com")]);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => giveAddress(i % 2 ? bob.code : ada.code, SPELLINGS[i % SPELLINGS.length]!)),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]));
    expect((await giveAddress(carol.code, { ...ADDRESS, address_line1: "99 Other Road" })).status).toBe(200);
    expect(await storedAddress(ada.email)).not.toBeNull();
    expect(await storedAddress(bob.email)).not.toBeNull();

    const claim = await claimOf(ADDRESS);
    expect(new Set(await addressClaim(env, claim).claimants())).toEqual(new Set([ada.id, bob.id]));
    const flagged = (peer: string) => (row: Record<string, unknown>) => row.address_review === "pending" && row.address_peers === JSON.stringify([peer]);
    await indexed(ada.id, flagged(bob.id));
    await indexed(bob.id, flagged(ada.id));
    expect(await indexed(carol.id, (row) => row.shipping_status === "ready")).toMatchObject({ address_review: null, address_peers: "[]" });

    const filtered = (await (await admin("/admin/api/entries?review=duplicate_address&limit=200")).json()) as { entries: { id: string; address_review: string }[] };
    expect(filtered.entries.map((e) => e.id).filter((id) => [ada.id, bob.id, carol.id].includes(id)).sort()).toEqual([ada.id, bob.id].sort());
    const pairs = (await (await admin("/admin/api/address-pairs?status=pending")).json()) as { groups: { pending: boolean; entries: { id: string }[] }[] };
    const ours = pairs.groups.find((group) => group.entries.some((e) => e.id === ada.id));
    expect(ours?.entries.map((e) => e.id).sort()).toEqual([ada.id, bob.id].sort());
    expect(JSON.stringify(pairs)).not.toMatch(/Analytical|W1 2AB/);

    const shippingCsv = async () => (await admin("/admin/api/export.csv?set=shipping")).text();
    expect(await shippingCsv()).not.toContain(ada.email);
    expect(await shippingCsv()).not.toContain(bob.email);
    expect(await shippingCsv()).toContain(carol.email);

    expect((await admin(`/admin/api/entries/${ada.id}/clear-address`, { method: "POST", token: "dev-judge-token" })).status).toBe(403);
    expect((await admin(`/admin/api/entries/${ada.id}/clear-address`, { method: "POST" })).status).toBe(200);
    expect((await admin(`/admin/api/entries/${ada.id}/clear-address`, { method: "POST" })).status).toBe(409);
    await indexed(ada.id, (row) => row.address_review === "cleared");
    expect(await shippingCsv()).toContain(ada.email);
    expect(await shippingCsv()).not.toContain(bob.email);
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; target: string }[] };
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: "clear_address", target: ada.id, actor: "Dev Organiser" }));
  });

  it("a corrected address gives up the old one's claim, and erasure gives up the claim and tells the other winner", { timeout: 30_000 }, async () => {
    const [dan, eve] = await Promise.all([winner("move-d@example.com"), winner("move-e@example.com")]);
    const first = { ...ADDRESS, address_line1: "1 Moving Lane" };
    const second = { ...ADDRESS, address_line1: "2 Settled Lane" };
    expect((await giveAddress(dan.code, first)).status).toBe(200);
    expect((await giveAddress(eve.code, second)).status).toBe(200);
    expect((await giveAddress(dan.code, second)).status).toBe(200);
    await registrantStub(dan.email).flushOutbox();
    expect(await addressClaim(env, await claimOf(first)).claimants()).toEqual([]);
    expect(await addressClaim(env, await claimOf(second)).claimants()).toEqual([eve.id, dan.id]);
    await indexed(eve.id, (row) => row.address_review === "pending");

    expect((await admin(`/admin/api/entries/${dan.id}`, { method: "DELETE" })).status).toBe(200);
    expect(await addressClaim(env, await claimOf(second)).claimants()).toEqual([eve.id]);
    await addressClaim(env, await claimOf(second)).flushOutbox();
    await indexed(eve.id, (row) => row.address_review === null && row.address_peers === "[]");
    await runInDurableObject(registrantStub(dan.email), (_: Registrant, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM address_claim").one().n).toBe(0);
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM address_peers").one().n).toBe(0);
    });
  });
});

describe("one box per address, refuse", () => {
  const REFUSE = { ONE_BOX_PER_ADDRESS: "refuse" };

  it("two winners racing the same address (100 forms, two codes): exactly one is accepted; the other is told why and keeps the hold", { timeout: 30_000 }, async () => {
    const [fay, gus] = await Promise.all([winner("refuse-f@example.com"), winner("refuse-g@example.com")]);
    const door = { ...ADDRESS, address_line1: "7 Contested Road" };
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => giveAddress(i % 2 ? gus.code : fay.code, door, REFUSE)));
    const byWinner = (parity: number) => new Set(responses.filter((_, i) => i % 2 === parity).map((r) => r.status));
    const outcomes = [byWinner(0), byWinner(1)];
    expect(outcomes).toContainEqual(new Set([200]));
    expect(outcomes).toContainEqual(new Set([409]));
    const [accepted, refused] = outcomes[0]!.has(200) ? [fay, gus] : [gus, fay];
    expect(await addressClaim(env, await claimOf(door)).claimants()).toEqual([accepted.id]);
    expect(await storedAddress(accepted.email)).not.toBeNull();
    expect(await storedAddress(refused.email)).toBeNull();
    const answer = await giveAddress(refused.code, door, REFUSE);
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: "address_taken", fields: { address_line1: expect.stringContaining("one box to each address") } });
    const page = await send("/shipping", { form: { code: refused.code, ...door }, vars: REFUSE });
    expect(page.status).toBe(409);
    expect(await page.text()).toMatch(/name="address_line1"[^>]*aria-invalid="true"/);
    // The hold stays open: another address is accepted.
    expect(((await (await send(`/shipping?code=${encodeURIComponent(refused.code)}`, { acceptJson: true })).json()) as { shipping: { status: string } }).shipping.status).toBe("awaiting");
    expect((await giveAddress(refused.code, { ...door, address_line1: "8 Contested Road" }, REFUSE)).status).toBe(200);
    await indexed(accepted.id, (row) => row.shipping_status === "ready" && row.address_review === null);
  });
});
