// @ts-check
/** What the drawer shows of an entry, read-only: the submission, the judges' scores, the versions. */
import { el } from "./dom.js";
import { opened, sections } from "./open-entry.js";
import { me, productName } from "./profile.js";
import { fullName, mailtoHref, percent, plural, safeUrl, STATUS_LABELS } from "./text.js";
import { when } from "./time.js";

/** What a blind judge sees instead of who entered. */
export const BLIND_HINT = "Hidden until you score this entry";

/**
 * A link that opens an http(s) URL in a new tab; anything else is shown as text.
 * @param {unknown} value
 * @param {string} [label]  the link's text; the URL itself by default
 */
export function externalLink(value, label) {
  const href = safeUrl(value);
  if (!href) return el("span", {}, value == null ? "—" : String(value));
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, label || href);
}

/**
 * @param {string[] | null | undefined} products
 */
const productTags = (products) => el("ul", { class: "tags" }, (products || []).map((p) => el("li", {}, productName(p))));

/**
 * The prize state of an entry in words.
 * @param {import("./types.js").EntryDetail} detail
 */
export function prizeText(detail) {
  const prize = detail.prize;
  if (prize && prize.status === "awarded") return `Awarded: prize #${Number(prize.slot)}`;
  if (prize && prize.status === "provisional") return `Provisional: prize #${Number(prize.slot)}, under review`;
  if (prize && prize.status === "released") return "Provisional prize released";
  if (prize && prize.status === "waitlisted") return `Waitlisted: #${Number(prize.position)}`;
  if (prize && prize.status === "revoked") return "Prize revoked";
  return "Not awarded";
}

export function renderSummary() {
  const { detail } = opened();
  const { entry } = detail;
  if (!sections.summary) return;
  const email = String(entry.email ?? "");
  const details = el("dl", { class: "meta" },
    el("dt", {}, "Entrant"), el("dd", { "data-testid": "entrant" }, entry.blind ? el("span", { class: "hint" }, BLIND_HINT) : fullName(entry) || "—"),
    el("dt", {}, "Email"), el("dd", {}, email.includes("@") ? el("a", { href: mailtoHref(email) }, email) : email || "—"),
    el("dt", {}, "Status"), el("dd", {}, `${STATUS_LABELS[entry.status] || entry.status} · ${prizeText(detail)}`),
    el("dt", {}, "Signed up"), el("dd", {}, when(entry.registered_at)),
  );
  if (entry.submission_version != null) {
    details.append(
      el("dt", {}, "Submitted"), el("dd", {}, when(entry.submitted_at)),
      el("dt", {}, "Version"), el("dd", {}, `${Number(entry.submission_version)}${entry.amended_at ? " (amended " : ""}`, entry.amended_at ? when(entry.amended_at) : "", entry.amended_at ? ")" : ""),
      el("dt", {}, "Demo"), el("dd", { "data-testid": "demo-link" }, externalLink(entry.demo_url)),
      el("dt", {}, "Repository"), el("dd", { "data-testid": "repo-link" }, externalLink(entry.repo_url)),
      el("dt", {}, "Products"), el("dd", {}, productTags(entry.products)),
    );
  }
  sections.summary.replaceChildren(
    el("h3", { id: "drawer-summary-heading" }, "Submission"),
    details,
    entry.submission_version != null
      ? el("p", { class: "description", "data-testid": "description" }, entry.description ?? "")
      : el("p", { class: "hint" }, "This entrant has signed up but not submitted a project yet."),
  );
}

export function renderScores() {
  const { scores = [], entry } = opened().detail;
  if (!sections.scores) return;
  const rubric = me.rubric || [];
  const heading = el("h3", { id: "drawer-scores-heading" }, `Judges' scores`);
  if (!scores.length) {
    const none = entry.blind ? "Other judges' scores are hidden until you score this entry." : "No judge has scored this entry yet.";
    sections.scores.replaceChildren(heading, el("p", { class: "hint" }, none));
    return;
  }
  const criterionIds = [...new Set([...rubric.map((c) => c.id), ...scores.flatMap((s) => Object.keys(s.criteria || {}))])];
  /** @param {string} id */
  const labelOf = (id) => rubric.find((c) => c.id === id)?.label || id;
  const table = el("table", { class: "scores-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Judge"),
      criterionIds.map((id) => el("th", { scope: "col", class: "num" }, labelOf(id))),
      el("th", { scope: "col", class: "num" }, "Weighted"))),
    el("tbody", {}, scores.map((score) => [
      el("tr", { "data-judge": String(score.judge), "data-testid": "score-row" },
        el("th", { scope: "row" }, score.judge, el("span", { class: "sub" }, when(score.updated_at)),
          score.conflicted ? el("span", { class: "sub" }, "conflict of interest: not counted") : null),
        criterionIds.map((id) => el("td", { class: "num" }, score.criteria?.[id] ?? "—")),
        el("td", { class: "num", "data-testid": "score-weighted" }, percent(score.weighted))),
      score.comment ? el("tr", {}, el("td", { colspan: criterionIds.length + 2, class: "comment" }, score.comment)) : null,
    ])),
  );
  sections.scores.replaceChildren(
    heading,
    el("p", {}, `Mean ${percent(entry.score)} from ${plural(Number(entry.scores_count ?? 0), "counted review")}${me.reviewsPerEntry ? ` of ${Number(me.reviewsPerEntry)} needed` : ""}.`),
    el("div", { class: "table-wrap" }, table),
  );
}

export function renderHistory() {
  const { history = [] } = opened().detail;
  if (!sections.history) return;
  const heading = el("h3", { id: "drawer-history-heading" }, `Versions (${history.length})`);
  if (!history.length) {
    sections.history.replaceChildren(heading, el("p", { class: "hint" }, "No versions yet."));
    return;
  }
  const items = history.map((version, i) =>
    el("details", { class: "version", open: i === 0 ? true : null, "data-testid": "version" },
      el("summary", {}, `Version ${Number(version.version)}${i === 0 ? " (latest)" : ""} · `, when(version.submittedAt)),
      el("dl", { class: "meta" },
        el("dt", {}, "Title"), el("dd", {}, version.title ?? ""),
        el("dt", {}, "Demo"), el("dd", {}, externalLink(version.demo_url)),
        el("dt", {}, "Repository"), el("dd", {}, externalLink(version.repo_url)),
        el("dt", {}, "Products"), el("dd", {}, productTags(version.products)),
      ),
      el("p", { class: "description" }, version.description ?? ""),
    ));
  sections.history.replaceChildren(heading, ...items);
}
