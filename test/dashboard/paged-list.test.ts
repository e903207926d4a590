import { describe, expect, it } from "vitest";
import { Pages } from "../../public/admin/dashboard/paged-list.js";

const ENTRIES = { one: "entry", many: "entries" };

describe("a paged list", () => {
  it("asks for the first page without a cursor, then for the next with the cursor it was given", () => {
    const pages = new Pages();
    expect(pages.cursor(false)).toBeNull();
    pages.receive(50, "cursor-1", false);
    expect(pages.cursor(true)).toBe("cursor-1");
    expect(pages.cursor(false)).toBeNull();
    pages.receive(50, "cursor-2", true);
    expect(pages.cursor(true)).toBe("cursor-2");
    expect(pages.shown).toBe(100);
    expect(pages.summary(ENTRIES)).toBe("Showing 100 entries; more to load.");
  });

  it("starts counting again on a fresh load, and stops at the last page", () => {
    const pages = new Pages();
    pages.receive(50, "cursor-1", false);
    pages.receive(3, null, false);
    expect(pages.shown).toBe(3);
    expect(pages.next).toBeNull();
    expect(pages.cursor(true)).toBeNull();
    expect(pages.summary(ENTRIES)).toBe("Showing 3 entries.");
  });

  it("keeps a positive id as the next page's cursor, as the audit log gives it", () => {
    const pages = new Pages();
    pages.receive(100, 4711, false);
    expect(pages.cursor(true)).toBe("4711");
  });

  it("treats anything but a string or a positive id as no next page", () => {
    const pages = new Pages();
    for (const next of [undefined, 0, -3, 1.5, {}, ["x"]]) {
      pages.receive(1, next, false);
      expect(pages.next).toBeNull();
    }
    expect(pages.summary({ one: "email", many: "emails" })).toBe("Showing 1 email.");
    pages.receive(0, null, false);
    expect(pages.summary({ one: "email", many: "emails" })).toBe("No emails match.");
  });
});
