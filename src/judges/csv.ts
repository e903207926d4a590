/** Bidi embeddings, overrides and isolates: they reorder what a reader sees ("exe.txt" shown for "txt.exe"). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * One CSV cell per RFC 4180, made safe for spreadsheets: each bidi control becomes a
 * visible marker such as `[U+202E]`, so a name or URL cannot be disguised; then a cell that
 * a spreadsheet could read as a formula (starting with = + - @, a tab or a carriage return,
 * or ;, the field separator of some locales' spreadsheets) gets a leading quote.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  text = text.replace(BIDI_CONTROLS, (control) => `[U+${control.codePointAt(0)!.toString(16).toUpperCase()}]`);
  if (/^[=+\-@;\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * Streams a CSV: the header (after a UTF-8 byte order mark with `bom`, for Excel), then
 * every page `nextPage` yields until it returns no rows.
 * Pages are read as the client reads, so an export of 100,000 rows never sits in memory.
 */
export function csvStream<Row>(
  header: readonly string[],
  toCells: (row: Row) => unknown[],
  nextPage: (after: Row | null) => Promise<Row[]>,
  { bom = false }: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let last: Row | null = null;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        // Excel reads a CSV as UTF-8 only when it starts with the byte order mark.
        controller.enqueue(encoder.encode(`${bom ? "\uFEFF" : ""}${csvLine(header)}`));
        return;
      }
      const rows = await nextPage(last);
      if (rows.length === 0) {
        controller.close();
        return;
      }
      last = rows.at(-1)!;
      controller.enqueue(encoder.encode(rows.map((row) => csvLine(toCells(row))).join("")));
    },
  });
}
