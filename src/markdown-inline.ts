import { escapeHtml } from "./html";

/**
 * The inline half of organisers' Markdown (src/markdown.ts has the blocks): code spans,
 * emphasis and strikethrough by CommonMark's delimiter rules, links and images, autolinks
 * and GFM's bare links, hard breaks. A link is made only to an allowed destination, and
 * every character of text ends up escaped (character references such as `&copy;` kept).
 */

/** A link destination and title, as written or as a reference definition gives them. */
export interface Link {
  href: string;
  title: string;
}

/** http(s) and mailto links, and paths on this site (one leading slash: "//host" is another site). */
export function isAllowedLink(url: string): boolean {
  const link = url.trim().toLowerCase();
  return /^(https?:\/\/|mailto:)/.test(link) || /^\/(?!\/)/.test(link);
}

/** A reference label as definitions and references are matched: trimmed, spaces collapsed, lower case. */
export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, " ").toLowerCase();
}

/** `text` with its backslash escapes of punctuation resolved (destinations, titles). */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

/**
 * A span of inline content: escaped `text` between the markup `before` and `after` (the
 * emphasis closed before a delimiter run's leftover characters and opened after them).
 * `plain` replaces `text` in markdownText; `literal` text is never made a bare-URL link.
 */
interface Piece {
  text: string;
  before: string;
  after: string;
  literal?: boolean;
  plain?: string;
  link?: "open" | "close";
}

/** A run of `*`, `_` or `~` that may open or close emphasis (CommonMark's delimiter stack). */
interface Delimiter {
  piece: Piece;
  char: string;
  count: number;
  length: number;
  open: boolean;
  close: boolean;
  prev: Delimiter | null;
  next: Delimiter | null;
}

/** An open `[` or `![`: where its piece is, where it starts in the source, and the delimiters below it. */
interface Bracket {
  index: number;
  from: number;
  image: boolean;
  /** False once a link closed after it opened: links do not nest. */
  active: boolean;
  below: Delimiter | null;
}

const SPECIAL = /[\\`*_~[\]!<\n]/g;
const PUNCTUATION = /^[\p{P}\p{S}]$/u;
const AUTOLINK = /<([a-zA-Z][a-zA-Z\d+.-]{1,31}:[^\s<>]*)>|<([\w.!#$%&'*+/=?^`{|}~-]+@[a-zA-Z\d-]+(?:\.[a-zA-Z\d-]+)*)>/y;
/** The longest destination or title read after a `(`: a bound on the work each `](` can cause. */
const LINK_CAP = 2048;

/** Safe HTML for a block's inline Markdown: only the renderer's own tags, allowed links, escaped text. */
export function inlineHtml(source: string, refs: Map<string, Link>): string {
  let html = "";
  let run = "";
  let inLink = false;
  for (const piece of inline(source, refs)) {
    if (!piece.before && !piece.after && !piece.literal && !piece.link) {
      run += piece.text;
      continue;
    }
    html += (inLink ? escapeText(run) : withBareLinks(run)) + piece.before + escapeHtml(piece.text) + piece.after;
    run = "";
    if (piece.link) inLink = piece.link === "open";
  }
  return html + withBareLinks(run);
}

/** The words of a block's inline Markdown, unescaped: link text but not destinations, image alt text. */
export function inlineText(source: string, refs: Map<string, Link>): string {
  return inline(source, refs)
    .map((piece) => piece.plain ?? piece.text)
    .join("");
}

/** The inline content of one block, as pieces in order. */
function inline(source: string, refs: Map<string, Link>): Piece[] {
  const pieces: Piece[] = [];
  const brackets: Bracket[] = [];
  /** Closing backtick runs known to be absent from here on, by length. */
  const noCloser = new Set<number>();
  let top: Delimiter | null = null;
  let text = "";
  const flush = () => {
    if (text) pieces.push({ text, before: "", after: "" });
    text = "";
  };
  const push = (piece: Piece) => {
    flush();
    pieces.push(piece);
    return piece;
  };
  const unlink = (delimiter: Delimiter) => {
    if (delimiter.prev) delimiter.prev.next = delimiter.next;
    if (delimiter.next) delimiter.next.prev = delimiter.prev;
    if (top === delimiter) top = delimiter.prev;
  };

  /** Matches emphasis among the delimiters above `bottom`, then drops them (CommonMark's process_emphasis). */
  const emphasis = (bottom: Delimiter | null) => {
    let closer: Delimiter | null = null;
    for (let delimiter = top; delimiter && delimiter !== bottom; delimiter = delimiter.prev) closer = delimiter;
    const floors = new Map<string, Delimiter | null>();
    while (closer) {
      if (!closer.close) {
        closer = closer.next;
        continue;
      }
      const key = `${closer.char}${closer.open}${closer.length % 3}`;
      const floor = floors.has(key) ? floors.get(key)! : bottom;
      let opener = closer.prev;
      while (opener && opener !== bottom && opener !== floor && !pairs(opener, closer)) opener = opener.prev;
      if (opener && opener !== bottom && opener !== floor) {
        const use = closer.char === "~" ? closer.count : Math.min(2, opener.count, closer.count);
        const tag = closer.char === "~" ? "del" : use === 2 ? "strong" : "em";
        opener.count -= use;
        closer.count -= use;
        opener.piece.text = opener.char.repeat(opener.count);
        closer.piece.text = closer.char.repeat(closer.count);
        opener.piece.after = `<${tag}>${opener.piece.after}`;
        closer.piece.before += `</${tag}>`;
        opener.next = closer;
        closer.prev = opener;
        if (!opener.count) unlink(opener);
        if (!closer.count) {
          const next: Delimiter | null = closer.next;
          unlink(closer);
          closer = next;
        }
      } else {
        floors.set(key, closer.prev);
        const next: Delimiter | null = closer.next;
        if (!closer.open) unlink(closer);
        closer = next;
      }
    }
    top = bottom;
    if (bottom) bottom.next = null;
  };

  let pos = 0;
  while (pos < source.length) {
    SPECIAL.lastIndex = pos;
    const found = SPECIAL.exec(source);
    const at = found ? found.index : source.length;
    text += source.slice(pos, at);
    pos = at;
    if (!found) break;
    const char = source[pos]!;
    if (char === "\\") {
      const next = source[pos + 1];
      if (next === "\n") {
        push({ text: "", before: "<br>", after: "", plain: " " });
        pos = skipSpace(source, pos + 2);
      } else if (next !== undefined && /[!-/:-@[-`{-~]/.test(next)) {
        if (next === "&") push({ text: "&", before: "", after: "", literal: true });
        else text += next;
        pos += 2;
      } else {
        text += "\\";
        pos++;
      }
    } else if (char === "\n") {
      // Two spaces or more at a line's end make a hard break; its next line's indentation goes.
      if (source[pos - 1] === " " && source[pos - 2] === " ") {
        text = text.trimEnd();
        push({ text: "", before: "<br>", after: "", plain: " " });
        pos = skipSpace(source, pos + 1);
      } else {
        text += "\n";
        pos++;
      }
    } else if (char === "`") {
      const length = runLength(source, pos);
      const close = noCloser.has(length) ? -1 : closingBackticks(source, pos + length, length);
      if (close < 0) {
        noCloser.add(length);
        text += "`".repeat(length);
      } else {
        let code = source.slice(pos + length, close).replace(/\n/g, " ");
        if (code.startsWith(" ") && code.endsWith(" ") && code.trim()) code = code.slice(1, -1);
        push({ text: code, before: "<code>", after: "</code>" });
      }
      pos = close < 0 ? pos + length : close + length;
    } else if (char === "*" || char === "_" || char === "~") {
      const length = runLength(source, pos);
      if (char === "~" && length > 2) {
        text += source.slice(pos, pos + length);
      } else {
        const before = pos > 0 ? source[pos - 1]! : " ";
        const after = source[pos + length] ?? " ";
        const left = !/\s/.test(after) && (!PUNCTUATION.test(after) || /\s/.test(before) || PUNCTUATION.test(before));
        const right = !/\s/.test(before) && (!PUNCTUATION.test(before) || /\s/.test(after) || PUNCTUATION.test(after));
        const piece = push({ text: source.slice(pos, pos + length), before: "", after: "" });
        const delimiter: Delimiter = {
          piece,
          char,
          count: length,
          length,
          open: char === "_" ? left && (!right || PUNCTUATION.test(before)) : left,
          close: char === "_" ? right && (!left || PUNCTUATION.test(after)) : right,
          prev: top,
          next: null,
        };
        if (top) top.next = delimiter;
        top = delimiter;
      }
      pos += length;
    } else if (char === "[" || (char === "!" && source[pos + 1] === "[")) {
      const image = char === "!";
      push({ text: image ? "![" : "[", before: "", after: "" });
      brackets.push({ index: pieces.length - 1, from: pos, image, active: true, below: top });
      pos += image ? 2 : 1;
    } else if (char === "!") {
      text += "!";
      pos++;
    } else if (char === "<") {
      AUTOLINK.lastIndex = pos;
      const auto = AUTOLINK.exec(source);
      if (!auto) {
        text += "<";
        pos++;
      } else {
        const href = auto[1] ?? `mailto:${auto[2]}`;
        const shown = auto[1] ?? auto[2]!;
        if (isAllowedLink(href)) {
          push({ text: "", before: "", after: `<a href="${escapeHtml(href)}">`, link: "open" });
          push({ text: shown, before: "", after: "</a>", link: "close" });
        } else push({ text: auto[0], before: "", after: "", literal: true, plain: shown });
        pos += auto[0].length;
      }
    } else {
      // "]": the end of a link or image if the innermost open bracket starts one.
      const bracket = brackets.pop();
      const label = bracket ? source.slice(bracket.from + (bracket.image ? 2 : 1), pos) : "";
      const link = bracket?.active ? linkTail(source, pos + 1, label, refs) : null;
      if (!bracket || !link) {
        text += "]";
        pos++;
        continue;
      }
      flush();
      if (!bracket.image) for (const outer of brackets) if (!outer.image) outer.active = false;
      if (bracket.image || !isAllowedLink(link.href)) {
        const words = pieces
          .slice(bracket.index + 1)
          .map((piece) => piece.plain ?? piece.text)
          .join("");
        pieces.length = bracket.index;
        top = bracket.below;
        if (top) top.next = null;
        // An image shows its alt text; a refused link the Markdown it was written as.
        push({ text: bracket.image ? label : source.slice(bracket.from, link.end), before: "", after: "", literal: true, plain: bracket.image ? label : words });
      } else {
        emphasis(bracket.below);
        const title = link.title ? ` title="${escapeHtml(link.title)}"` : "";
        pieces[bracket.index] = { text: "", before: "", after: `<a href="${escapeHtml(link.href)}"${title}>`, link: "open" };
        push({ text: "", before: "</a>", after: "", link: "close" });
      }
      pos = link.end;
    }
  }
  flush();
  emphasis(null);
  return pieces;
}

/** Whether `opener` and `closer` make emphasis (the rule of three) or strikethrough (equal runs). */
function pairs(opener: Delimiter, closer: Delimiter): boolean {
  if (!opener.open || opener.char !== closer.char) return false;
  if (closer.char === "~") return opener.count === closer.count;
  return !((opener.close || closer.open) && (opener.length + closer.length) % 3 === 0 && (opener.length % 3 !== 0 || closer.length % 3 !== 0));
}

function runLength(source: string, pos: number): number {
  let end = pos;
  while (source[end] === source[pos]) end++;
  return end - pos;
}

/** Where the next run of exactly `length` backticks starts, or -1. */
function closingBackticks(source: string, from: number, length: number): number {
  for (let at = source.indexOf("`", from); at >= 0; at = source.indexOf("`", at)) {
    const run = runLength(source, at);
    if (run === length) return at;
    at += run;
  }
  return -1;
}

/**
 * The destination after a link's `]`: `(href "title")`, `[label]`, `[]` or nothing (the
 * label itself), the last three from the document's definitions; null when none.
 */
function linkTail(source: string, pos: number, label: string, refs: Map<string, Link>): (Link & { end: number }) | null {
  const inline = source[pos] === "(" ? inlineDestination(source, pos + 1) : null;
  if (inline) return inline;
  const reference = /\[([^[\]]{0,999})\]/y;
  reference.lastIndex = pos;
  const full = reference.exec(source);
  if (full) {
    const found = refs.get(normaliseLabel(full[1] || label));
    return found ? { ...found, end: pos + full[0].length } : null;
  }
  const found = refs.get(normaliseLabel(label));
  return found ? { ...found, end: pos } : null;
}

/** `href "title")` from just after a link's `(`, or null. */
function inlineDestination(source: string, from: number): (Link & { end: number }) | null {
  let at = skipSpace(source, from);
  let href: string;
  if (source[at] === "<") {
    const angled = /<([^\n<>]*)>/y;
    angled.lastIndex = at;
    const match = angled.exec(source);
    if (!match) return null;
    href = match[1]!;
    at += match[0].length;
  } else {
    const start = at;
    let depth = 0;
    for (; at < source.length && at - start < LINK_CAP; at++) {
      const char = source[at]!;
      if (char === "\\") at++;
      else if (char <= " ") break;
      else if (char === "(") depth++;
      else if (char === ")" && !depth--) break;
    }
    href = source.slice(start, at);
  }
  const gap = skipSpace(source, at);
  let title = "";
  const quote = source[gap];
  if (gap > at && (quote === '"' || quote === "'" || quote === "(")) {
    const closing = quote === "(" ? ")" : quote;
    let end = gap + 1;
    while (end < source.length && end - gap < LINK_CAP && source[end] !== closing) end += source[end] === "\\" ? 2 : 1;
    if (source[end] !== closing) return null;
    title = source.slice(gap + 1, end);
    at = skipSpace(source, end + 1);
  } else at = gap;
  if (source[at] !== ")") return null;
  return { href: unescapeMarkdown(href), title: unescapeMarkdown(title), end: at + 1 };
}

function skipSpace(source: string, pos: number): number {
  while (source[pos] === " " || source[pos] === "\t" || source[pos] === "\n") pos++;
  return pos;
}

/** Text for HTML: escaped, except character references (`&copy;`), which show as what they name. */
function escapeText(text: string): string {
  return text.replace(/[<>"']|&(?!#\d{1,7};|#x[\da-f]{1,6};|[a-z][a-z\d]{1,31};)/gi, (char) => escapeHtml(char));
}

const BARE_LINK = /(?:https?:\/\/|www\.)(?=[a-zA-Z\d-])[^\s<]{0,2048}|@/g;
const EMAIL_LOCAL = /[\w.+-]/;
const EMAIL_DOMAIN = /[\w.-]/;

/**
 * Text with GFM's bare links made links: http(s) URLs, `www.` names (as http) and email
 * addresses (as mailto), without trailing punctuation or an unbalanced `)`.
 */
function withBareLinks(text: string): string {
  let html = "";
  let done = 0;
  BARE_LINK.lastIndex = 0;
  for (let match = BARE_LINK.exec(text); match; match = BARE_LINK.exec(text)) {
    let start = match.index;
    let end = start + match[0].length;
    let href: string;
    if (match[0] === "@") {
      while (start > done && EMAIL_LOCAL.test(text[start - 1]!)) start--;
      while (end < text.length && EMAIL_DOMAIN.test(text[end]!)) end++;
      while (text[end - 1] === ".") end--;
      const domain = text.slice(match.index + 1, end);
      if (start === match.index || !domain.includes(".") || /[-_]$/.test(domain)) continue;
      href = `mailto:${text.slice(start, end)}`;
    } else {
      // GFM: a www. link starts a word (or follows emphasis or a parenthesis); an http(s) one may start anywhere.
      if (match[0].startsWith("www.") && start > 0 && !/[\s*_~(]/.test(text[start - 1]!)) continue;
      end = start + withoutTrailing(match[0]).length;
      href = (match[0].startsWith("www.") ? "http://" : "") + text.slice(start, end);
    }
    html += `${escapeText(text.slice(done, start))}<a href="${escapeHtml(href)}">${escapeText(text.slice(start, end))}</a>`;
    done = end;
    BARE_LINK.lastIndex = end;
  }
  return html + escapeText(text.slice(done));
}

/**
 * A bare URL without what GFM leaves out of it (as marked reads the rule): trailing
 * punctuation, a `)` it did not open, a `(` it does not close, and an entity at its end.
 */
function withoutTrailing(url: string): string {
  for (;;) {
    let end = 0;
    while (end < url.length) {
      const char = url[end]!;
      if (char === "(") {
        const close = url.indexOf(")", end);
        if (close < 0) break;
        end = close + 1;
      } else if (char === "&") {
        if (/^&[a-zA-Z\d]+;$/.test(url.slice(end))) break;
        end++;
      } else if (TRAILING.includes(char)) {
        let run = end;
        while (run < url.length && TRAILING.includes(url[run]!)) run++;
        if (run === url.length) break;
        end = run;
      } else end++;
    }
    if (end === url.length) return url;
    url = url.slice(0, end);
  }
}

const TRAILING = "?!.,:;*_'\"~)";
