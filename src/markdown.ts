import { escapeHtml } from "./html";
import { inlineHtml, inlineText, normaliseLabel, unescapeMarkdown, type Link } from "./markdown-inline";

/**
 * Organisers' Markdown (page content, announcements), rendered by Swagbox's own small
 * renderer of the GFM subset organisers use: headings (ATX and underlined), paragraphs,
 * emphasis, strikethrough, code spans and blocks, links (inline, reference, autolinks and
 * bare URLs or addresses), lists (nested, task items), quotes, tables and rules. It writes
 * what marked wrote for these (test/markdown-parity.test.ts checks that against marked), in
 * a fraction of its bundle size (docs/decisions.md). Raw HTML is shown as the text it is (a
 * `<script>` never becomes one), images show their alt text (pages load nothing from
 * elsewhere), and a link is kept only if it goes to http(s), mailto or a path on this site;
 * any other (javascript:, data:, vbscript:) stays as the text it was written as. Parsing
 * takes time in proportion to the length: no pattern here can backtrack catastrophically.
 */

type Block =
  | { type: "heading"; depth: number; text: string }
  | { type: "paragraph"; text: string }
  | { type: "code"; text: string; lang: string }
  | { type: "quote"; blocks: Block[] }
  | { type: "list"; start: number | null; loose: boolean; items: { blocks: Block[]; task: boolean | null }[] }
  | { type: "table"; align: string[]; head: string[]; rows: string[][] }
  | { type: "hr" };

/** A document's blocks, its reference definitions (by normalised label) and its headings. */
interface Doc {
  blocks: Block[];
  refs: Map<string, Link>;
  headings: Extract<Block, { type: "heading" }>[];
}

/**
 * Safe HTML for `source`: every character of it either Markdown's own markup or escaped
 * text. Its highest heading becomes at least `headingFrom` (2 under a page's h1; 3 under a
 * section's h2), the others keep their steps below it, down to h6.
 */
export function renderMarkdown(source: string, headingFrom = 3): string {
  const doc = parse(source);
  const shift = Math.max(0, headingFrom - Math.min(...doc.headings.map((heading) => heading.depth)));
  for (const heading of doc.headings) heading.depth = Math.min(6, heading.depth + shift);
  return blocksHtml(doc.blocks, doc.refs, false);
}

/** The words of `source` without its Markdown, on one line (a meta description, an excerpt). */
export function markdownText(source: string): string {
  const doc = parse(source);
  return blocksText(doc.blocks, doc.refs).replace(/\s+/g, " ").replace(/ ([.,;:!?])/g, "$1").trim();
}

/** The first `max` characters of `text`, cut at a word and marked with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const plain = text.replace(/\s+/g, " ").trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t](.*))?$/;
const FENCE = /^( {0,3})(`{3,}(?=[^`]*$)|~{3,})(.*)$/;
const QUOTE = /^ {0,3}>(.*)$/;
const LIST_ITEM = /^( {0,3})([-+*]|(\d{1,9})[.)])(?:( +)(.*))?$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const DEFINITION = /^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>]*>|\S+)(?:[ \t]+("[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/;

function parse(source: string): Doc {
  const lines = source.replace(/\r\n?/g, "\n").replace(/\0/g, "\uFFFD").replace(/\n$/, "").split("\n");
  const doc: Doc = { blocks: [], refs: new Map(), headings: [] };
  doc.blocks = parseBlocks(lines, doc, 0).blocks;
  return doc;
}

/** The columns of a line's indentation, a tab reaching the next multiple of four. */
function indentOf(line: string): number {
  let column = 0;
  for (let i = 0; line[i] === " " || line[i] === "\t"; i++) column = line[i] === "\t" ? column + 4 - (column % 4) : column + 1;
  return column;
}

/** `line` without up to `columns` columns of its indentation (a tab that reaches past them leaves spaces). */
function dedent(line: string, columns: number): string {
  let column = 0;
  let i = 0;
  for (; column < columns && (line[i] === " " || line[i] === "\t"); i++) column = line[i] === "\t" ? column + 4 - (column % 4) : column + 1;
  return " ".repeat(column - Math.min(column, columns)) + line.slice(i);
}
const isBlank = (line: string) => !line.trim();

function isRule(line: string): boolean {
  return indentOf(line) < 4 && /^(?:-{3,}|\*{3,}|_{3,})$/.test(line.replace(/[ \t]/g, ""));
}

interface ListMarker {
  /** The bullet, or an ordered list's delimiter: items of one list share it. */
  kind: string;
  start: number | null;
  /** Where the item's content starts: lines indented this far belong to it. */
  indent: number;
  first: string;
}

function listMarker(line: string): ListMarker | null {
  const match = LIST_ITEM.exec(line);
  if (!match) return null;
  const [, pad = "", marker = "", digits, spaces = "", rest = ""] = match;
  const width = pad.length + marker.length;
  const gap = !rest || spaces.length > 4 ? 1 : spaces.length;
  return { kind: digits ? marker.slice(-1) : marker, start: digits ? Number(digits) : null, indent: width + gap, first: rest ? line.slice(width + gap) : "" };
}

/** A line that ends a paragraph: the start of a heading, fence, quote, rule or list (an ordered one only from 1). */
function interrupts(line: string): boolean {
  const item = listMarker(line);
  return ATX.test(line) || FENCE.test(line) || QUOTE.test(line) || isRule(line) || (item !== null && item.first !== "" && (item.start === null || item.start === 1));
}

/** The cells of a table row: outer pipes dropped, `\|` kept as a pipe inside a cell. */
function cells(row: string): string[] {
  const parts = row.trim().split(/(?<!\\)\|/);
  if (parts[0]!.trim() === "") parts.shift();
  if (parts.length && parts.at(-1)!.trim() === "") parts.pop();
  return parts.map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** The column alignments if `line` is a table's delimiter row for a header of `count` cells. */
function delimiterRow(line: string | undefined, count: number): string[] | null {
  if (line === undefined || !line.includes("|") || !line.includes("-") || indentOf(line) > 3) return null;
  const parts = cells(line);
  if (parts.length !== count || !parts.every((part) => /^:?-+:?$/.test(part))) return null;
  return parts.map((part) => (part.endsWith(":") ? (part.startsWith(":") ? "center" : "right") : part.startsWith(":") ? "left" : ""));
}

function tableAt(lines: string[], i: number): { head: string[]; align: string[] } | null {
  const head = cells(lines[i]!);
  const align = delimiterRow(lines[i + 1], head.length);
  return align ? { head, align } : null;
}

/** Quotes and lists nested deeper than this are shown as their text: no one writes them, and each level costs a pass. */
const MAX_NESTING = 16;

/**
 * The blocks of `lines`, nested `depth` containers deep; `gapped` when a blank line stands
 * between two of them (which makes the list item they are in loose).
 */
function parseBlocks(lines: string[], doc: Doc, depth: number): { blocks: Block[]; gapped: boolean } {
  if (depth > MAX_NESTING) return { blocks: [{ type: "paragraph", text: lines.join("\n") }], gapped: false };
  const blocks: Block[] = [];
  let gapped = false;
  let blank = false;
  const add = (block: Block) => {
    if (blank && blocks.length) gapped = true;
    blank = false;
    blocks.push(block);
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      blank = true;
      i++;
      continue;
    }
    if (indentOf(line) >= 4) {
      const code: string[] = [];
      while (i < lines.length && (isBlank(lines[i]!) || indentOf(lines[i]!) >= 4)) code.push(dedent(lines[i++]!, 4));
      while (isBlank(code.at(-1)!)) code.pop();
      add({ type: "code", text: `${code.join("\n")}\n`, lang: "" });
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const [, pad = "", marker = "", info = ""] = fence;
      const body: string[] = [];
      for (i++; i < lines.length && !closesFence(lines[i]!, marker); i++) body.push(dedent(lines[i]!, pad.length));
      i++;
      add({ type: "code", text: body.length ? `${body.join("\n")}\n` : "", lang: info.trim().split(/\s/)[0]! });
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      const heading = { type: "heading" as const, depth: atx[1]!.length, text: withoutClosingHashes(atx[2] ?? "") };
      doc.headings.push(heading);
      add(heading);
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; i < lines.length; i++) {
        const quoted = QUOTE.exec(lines[i]!)?.[1];
        // ">" may be followed by a space (or a tab, which then counts two columns less).
        if (quoted !== undefined) inner.push(quoted.startsWith(" ") ? quoted.slice(1) : quoted.startsWith("\t") ? `  ${quoted.slice(1)}` : quoted);
        // A line without ">" still belongs to a quoted paragraph it continues.
        else if (!isBlank(lines[i]!) && !isBlank(inner.at(-1)!) && !interrupts(lines[i]!) && !listMarker(lines[i]!)) inner.push(lines[i]!);
        else break;
      }
      add({ type: "quote", blocks: parseBlocks(inner, doc, depth + 1).blocks });
      continue;
    }
    if (isRule(line)) {
      add({ type: "hr" });
      i++;
      continue;
    }
    let marker = listMarker(line);
    if (marker) {
      const list: Extract<Block, { type: "list" }> = { type: "list", start: marker.start, loose: false, items: [] };
      const kind = marker.kind;
      let endsBlank = false;
      while (marker) {
        const itemLines = [marker.first];
        for (i++; i < lines.length; i++) {
          const next = lines[i]!;
          // An item that starts empty ends at a blank line.
          if (isBlank(next) && itemLines.length === 1 && !itemLines[0]) break;
          if (isBlank(next)) itemLines.push("");
          else if (indentOf(next) >= marker.indent) itemLines.push(dedent(next, marker.indent));
          else if (!isBlank(itemLines.at(-1)!) && !interrupts(next) && !listMarker(next)) itemLines.push(next);
          else break;
        }
        endsBlank = false;
        while (itemLines.length > 1 && isBlank(itemLines.at(-1)!)) {
          itemLines.pop();
          endsBlank = true;
        }
        const task = /^\[([ xX])\][ \t]+(?=\S)/.exec(itemLines[0]!);
        if (task) itemLines[0] = itemLines[0]!.slice(task[0].length);
        const content = parseBlocks(itemLines, doc, depth + 1);
        list.items.push({ blocks: content.blocks, task: task ? task[1] !== " " : null });
        if (content.gapped) list.loose = true;
        const following = i < lines.length && !isRule(lines[i]!) ? listMarker(lines[i]!) : null;
        marker = following?.kind === kind ? following : null;
        if (marker && endsBlank) list.loose = true;
      }
      add(list);
      blank = endsBlank;
      continue;
    }
    const definition = DEFINITION.exec(line);
    if (definition) {
      const label = normaliseLabel(definition[1]!);
      const href = definition[2]!.replace(/^<(.*)>$/, "$1");
      if (!doc.refs.has(label)) doc.refs.set(label, { href: unescapeMarkdown(href), title: unescapeMarkdown(definition[3]?.slice(1, -1) ?? "") });
      i++;
      continue;
    }
    const table = tableAt(lines, i);
    if (table) {
      const rows: string[][] = [];
      for (i += 2; i < lines.length && !isBlank(lines[i]!) && !interrupts(lines[i]!); i++) {
        const row = cells(lines[i]!);
        rows.push(table.head.map((_, column) => row[column] ?? ""));
      }
      add({ type: "table", ...table, rows });
      continue;
    }
    const paragraph = [line];
    let underline: string | undefined;
    for (i++; i < lines.length; i++) {
      const next = lines[i]!;
      if (isBlank(next)) break;
      if (indentOf(next) < 4 && SETEXT.test(next)) {
        underline = next.trim();
        i++;
        break;
      }
      if (interrupts(next) || tableAt(lines, i)) break;
      paragraph.push(next);
    }
    const text = paragraph.join("\n");
    if (underline) {
      const heading = { type: "heading" as const, depth: underline.startsWith("=") ? 1 : 2, text: text.trim() };
      doc.headings.push(heading);
      add(heading);
    } else add({ type: "paragraph", text });
  }
  return { blocks, gapped };
}

function closesFence(line: string, opening: string): boolean {
  const fence = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
  return fence !== undefined && fence[0] === opening[0] && fence.length >= opening.length;
}

/** A heading's text without the optional closing `#`s. */
function withoutClosingHashes(text: string): string {
  const trimmed = text.trim();
  let end = trimmed.length;
  while (end > 0 && trimmed[end - 1] === "#") end--;
  if (end === 0) return "";
  return end < trimmed.length && /[ \t]/.test(trimmed[end - 1]!) ? trimmed.slice(0, end).trimEnd() : trimmed;
}

function blocksHtml(blocks: Block[], refs: Map<string, Link>, tight: boolean): string {
  return blocks.map((block) => blockHtml(block, refs, tight)).join("");
}

function blockHtml(block: Block, refs: Map<string, Link>, tight: boolean): string {
  switch (block.type) {
    case "heading":
      return `<h${block.depth}>${inlineHtml(block.text, refs)}</h${block.depth}>\n`;
    case "paragraph":
      return tight ? inlineHtml(block.text, refs) : `<p>${inlineHtml(block.text, refs)}</p>\n`;
    case "code":
      return `<pre><code${block.lang ? ` class="language-${escapeHtml(block.lang)}"` : ""}>${escapeHtml(block.text)}</code></pre>\n`;
    case "quote":
      return `<blockquote>\n${blocksHtml(block.blocks, refs, false)}</blockquote>\n`;
    case "hr":
      return "<hr>\n";
    case "list": {
      const tag = block.start === null ? "ul" : "ol";
      const items = block.items.map(({ blocks, task }) => {
        const box = task === null ? "" : `<input ${task ? 'checked="" ' : ""}disabled="" type="checkbox"> `;
        const html = blocksHtml(blocks, refs, !block.loose);
        return `<li>${block.loose && html.startsWith("<p>") ? `<p>${box}${html.slice(3)}` : box + html}</li>\n`;
      });
      return `<${tag}${block.start !== null && block.start !== 1 ? ` start="${block.start}"` : ""}>\n${items.join("")}</${tag}>\n`;
    }
    case "table": {
      const row = (values: string[], cell: string) =>
        `<tr>\n${values.map((value, column) => `<${cell}${block.align[column] ? ` align="${block.align[column]}"` : ""}>${inlineHtml(value, refs)}</${cell}>\n`).join("")}</tr>\n`;
      const body = block.rows.length ? `<tbody>${block.rows.map((values) => row(values, "td")).join("")}</tbody>` : "";
      return `<table>\n<thead>\n${row(block.head, "th")}</thead>\n${body}</table>\n`;
    }
  }
}

/** The words of blocks for markdownText: prose only (code and tables are not words to quote). */
function blocksText(blocks: Block[], refs: Map<string, Link>): string {
  return blocks
    .map((block) => {
      if (block.type === "heading" || block.type === "paragraph") return `${inlineText(block.text, refs)} `;
      if (block.type === "quote") return blocksText(block.blocks, refs);
      if (block.type === "list") return block.items.map((item) => blocksText(item.blocks, refs)).join("");
      return " ";
    })
    .join("");
}
