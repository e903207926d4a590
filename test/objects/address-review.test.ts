import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AddressReview } from "../../src/objects/address-review";
import type { Registrant } from "../../src/objects/registrant";
import { sqlOf } from "../../src/objects/sql";
import { registrantId, registrantStub } from "../helpers";

const CLAIM = "c".repeat(64);
const OTHER_CLAIM = "d".repeat(64);
const [A, B, C] = ["a", "b", "e"].map((x) => x.repeat(64)) as [string, string, string];

/** An AddressReview over a fresh Registrant's own tables. */
function withReview(email: string, check: (review: AddressReview) => void) {
  return runInDurableObject(registrantStub(email), (_: Registrant, state) => check(new AddressReview(sqlOf(state.storage.sql), registrantId(email))));
}

describe("a winner's address review", () => {
  it("keeps a claim object's newer word that arrived before the winner's own save", async () => {
    await withReview("early-word@example.com", (review) => {
      expect(review.record({ claim: CLAIM, seq: 2, peers: [A, B] })).toBe(false);
      expect(review.save({ claim: CLAIM, token: crypto.randomUUID(), stamp: 1, seq: 1, peers: [A] })).toBeNull();
      expect(review.state()).toEqual({ status: "pending", peers: [A, B] });
    });
  });

  it("is cleared for the peers an organiser saw, and waits again when another winner joins", async () => {
    await withReview("cleared@example.com", (review) => {
      review.save({ claim: CLAIM, token: crypto.randomUUID(), stamp: 1, seq: 1, peers: [A] });
      expect(review.clear()).toBe(true);
      expect(review.clear()).toBe(false);
      expect(review.state()).toEqual({ status: "cleared", peers: [A] });
      expect(review.record({ claim: CLAIM, seq: 2, peers: [A, C] })).toBe(true);
      expect(review.state()).toEqual({ status: "pending", peers: [A, C] });
      expect(review.record({ claim: CLAIM, seq: 1, peers: [] })).toBe(false);
      expect(review.record({ claim: CLAIM, seq: 3, peers: [] })).toBe(true);
      expect(review.state()).toEqual({ status: null, peers: [] });
    });
  });

  it("keeps the token of the highest stamp among racing claims of one address, and hands back a replaced address's claim", async () => {
    await withReview("racing@example.com", (review) => {
      const [older, newer] = [crypto.randomUUID(), crypto.randomUUID()];
      review.save({ claim: CLAIM, token: newer, stamp: 5, seq: 0, peers: [] });
      expect(review.save({ claim: CLAIM, token: older, stamp: 4, seq: 0, peers: [] })).toBeNull();
      expect(review.held()).toMatchObject({ claim: CLAIM, token: newer });
      expect(review.save({ claim: OTHER_CLAIM, token: older, stamp: 1, seq: 0, peers: [] })).toMatchObject({ claim: CLAIM, token: newer });
      expect(review.give()).toMatchObject({ claim: OTHER_CLAIM, token: older });
      expect(review.held()).toBeNull();
    });
  });
});
