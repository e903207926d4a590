import { describe, expect, it } from "vitest";
import { progressSummary } from "../../public/admin/dashboard/progress.js";
import { reviewsText } from "../../public/admin/dashboard/text.js";
import { reasonText } from "../../public/admin/dashboard/top-n.js";

const overall = (extra: object) => ({ reviewsPerEntry: 3, entries: 0, reviewed: 0, reviews: 0, reviewsNeeded: 0, inReview: 0, ...extra });

describe("judging progress in words", () => {
  it("says how many entries are fully reviewed and how many reviews are given of those needed", () => {
    expect(progressSummary(overall({ entries: 10, reviewed: 4, reviews: 17, reviewsNeeded: 30, inReview: 2 }))).toEqual({
      share: 56,
      text: "4 of 10 entries fully reviewed (3 reviews each); 17 of 30 reviews given; 2 in review now.",
    });
  });

  it("shows nothing to do as 0%, and never more than all or less than none", () => {
    expect(progressSummary(overall({})).share).toBe(0);
    expect(progressSummary(overall({ entries: 1, reviews: 9, reviewsNeeded: 3 })).share).toBe(100);
    expect(progressSummary(overall({ entries: -2, reviews: Number.NaN, reviewsNeeded: "x" })).text).toBe(
      "0 of 0 entries fully reviewed (3 reviews each); 0 of 0 reviews given.",
    );
  });
});

describe("an entry's reviews", () => {
  it("count against the number each entry needs, once it is known", () => {
    expect(reviewsText(2, 3)).toBe("2 of 3 reviews");
    expect(reviewsText(1, 1)).toBe("1 of 1 review");
    expect(reviewsText(1, undefined)).toBe("1 review");
    expect(reviewsText(Number.NaN, 3)).toBe("0 of 3 reviews");
  });
});

describe("why an entry did not win", () => {
  it("is said in words, and an unknown reason is shown as it is", () => {
    expect(reasonText("already_winner")).toBe("already a winner");
    expect(reasonText("no_prizes_left")).toBe("no prizes left");
    expect(reasonText("disqualified")).toBe("disqualified");
    expect(reasonText("__proto__")).toBe("__proto__");
  });
});
