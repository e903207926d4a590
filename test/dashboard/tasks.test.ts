import { describe, expect, it } from "vitest";
import { topicLabel } from "../../public/admin/dashboard/dead-letters.js";
import { progressText } from "../../public/admin/dashboard/tasks.js";

const run = (extra: object) => ({
  id: "r", kind: "reindex", status: "running", total: 0, processed: 0, failed: 0, started_by: "Ada", started_at: 0, finished_at: null, stalled: false, ...extra,
});

describe("a task run's progress", () => {
  it("says how far the run got, and sends the reader to the dead letters for its failures", () => {
    expect(progressText(run({ total: 200, processed: 100 }))).toEqual({ share: 50, text: "100 of 200 entrants" });
    expect(progressText(run({ total: 200, processed: 200, failed: 2, status: "done" }))).toEqual({
      share: 100,
      text: "200 of 200 entrants, 2 failures (see dead letters)",
    });
  });

  it("shows a finished run over nobody as done, and never more than all", () => {
    expect(progressText(run({ status: "done" })).share).toBe(100);
    expect(progressText(run({ total: 10, processed: 12 })).share).toBe(100);
    expect(progressText(run({ total: -3, processed: Number.NaN })).text).toBe("0 of 0 entrants");
  });
});

describe("a dead letter's topic", () => {
  it("is named in words, and an unknown one is shown as it is", () => {
    expect(topicLabel("email")).toBe("Email");
    expect(topicLabel("prize_update")).toBe("Prize update to an entrant");
    expect(topicLabel("__proto__")).toBe("__proto__");
    expect(topicLabel("something_new")).toBe("something_new");
  });
});
