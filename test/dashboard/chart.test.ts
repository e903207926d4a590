import { describe, expect, it } from "vitest";
import { dailySeries, niceCeiling } from "../../public/admin/dashboard/chart.js";

describe("the chart's days", () => {
  it("run from the first counted day to the last, quiet days as zeros", () => {
    const days = dailySeries([
      { day: "2026-03-03", signups: 2, submissions: "1" },
      { day: "2026-03-01", signups: 5, submissions: 0 },
    ]);
    expect(days.map((d) => [d.day, d.signups, d.submissions])).toEqual([
      ["2026-03-01", 5, 0],
      ["2026-03-02", 0, 0],
      ["2026-03-03", 2, 1],
    ]);
    expect(days[0]!.t).toBe(Date.parse("2026-03-01T00:00:00Z"));
  });

  it("keep the last 120 days, and ignore rows that are not days or counts that are not numbers", () => {
    const days = dailySeries([
      { day: "2025-01-01", signups: 1, submissions: 0 },
      { day: "2026-01-01", signups: "many", submissions: null },
      { day: "yesterday", signups: 9, submissions: 9 },
      { day: 20260101 },
    ]);
    expect(days).toHaveLength(120);
    expect(days.at(-1)).toMatchObject({ day: "2026-01-01", signups: 0, submissions: 0 });
    expect(dailySeries([])).toEqual([]);
  });

  it("scale to a round number at or above the busiest day", () => {
    expect([1, 3, 7, 11, 24, 26, 99, 101].map(niceCeiling)).toEqual([1, 5, 10, 20, 25, 50, 100, 200]);
  });
});
