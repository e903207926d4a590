import { describe, expect, it } from "vitest";
import { bidiSegments, showBidi } from "../../public/admin/dashboard/bidi.js";

const CONTROLS = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];

describe("bidi controls", () => {
  it("are cut out of the text and described, each of U+202A–U+202E and U+2066–U+2069", () => {
    for (const control of CONTROLS) {
      const code = `U+${control.codePointAt(0)!.toString(16).toUpperCase()}`;
      const segments = bidiSegments(`invoice${control}fdp.exe`);
      expect(segments).toEqual(["invoice", { code, name: expect.any(String) }, "fdp.exe"]);
      expect(showBidi(`invoice${control}fdp.exe`)).toBe(`invoice[${code}]fdp.exe`);
    }
  });

  it("leave ordinary text alone, right-to-left letters and the marks next to the controls included", () => {
    for (const text of ["Ada Lovelace", "", "مرحبا بالعالم", "שלום", "a\u200Fb\u200Ec", "Café 🎉"]) {
      expect(bidiSegments(text)).toEqual([text]);
      expect(showBidi(text)).toBe(text);
    }
  });

  it("mark controls that come in a row or at the ends", () => {
    expect(showBidi("\u2067\u202Eevil\u2069")).toBe("[U+2067][U+202E]evil[U+2069]");
    expect(bidiSegments("\u202E")).toEqual([{ code: "U+202E", name: "right-to-left override" }]);
  });
});
