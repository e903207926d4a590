import { describe, expect, it } from "vitest";
import { progressLine } from "../../public/admin/dashboard/announcements.js";
import { exportHref } from "../../public/admin/dashboard/exports.js";
import { allowedHref } from "../../public/admin/dashboard/markup.js";
import { resultsText } from "../../public/admin/dashboard/results.js";

describe("the organisers' screens", () => {
  it("rebuild only the links the pages allow in a content preview", () => {
    for (const href of ["https://a.example/x", "HTTP://a.example", "mailto:team@example.com", "/rules"]) expect(allowedHref(href), href).toBe(href);
    for (const href of ["javascript:alert(1)", " data:text/html,x", "//evil.example", "vbscript:x", null, ""]) expect(allowedHref(href), String(href)).toBeNull();
  });

  it("say how far a send has got, and how many a draft would reach", () => {
    expect(progressLine({ id: 1, subject: "s", body: "b", segment: "everyone", status: "sending", recipients: 1243, progress: { queued: 1200, sent: 1157, failed: 3, pending: 40 } }))
      .toBe("1157 sent, 3 failed, 40 pending of 1243");
    expect(progressLine({ id: 2, subject: "s", body: "b", segment: "winners", status: "draft", recipients: 1, progress: null })).toBe("1 recipient now");
  });

  it("ask for Excel's byte order mark on an export link, and take it off again", () => {
    const on = exportHref("/admin/api/export.csv?set=winners", true);
    expect(on).toBe("/admin/api/export.csv?set=winners&bom=1");
    expect(exportHref(on, false)).toBe("/admin/api/export.csv?set=winners");
  });

  it("say whether results are out and how many winners agreed", () => {
    expect(resultsText({ published: false, publishedAt: null, listed: 0, unlisted: 0, winners: 3, consenting: 1 })).toBe(
      "Not published. 1 winner of 3 agreed to be listed. Publishing lists them on /winners, once submissions have closed.",
    );
    expect(resultsText({ published: true, publishedAt: null, listed: 2, unlisted: 1, winners: 3, consenting: 2 })).toContain("2 winners listed on /winners");
  });
});
