// @ts-check
/**
 * What Swagbox's own first pass found about a submission's links: badges for the list and
 * the drawer, the drawer's "Checks" section with the entries that share a link (each one
 * opens), and an organiser's "Check again".
 */
import { api, asApiError } from "./api.js";
import { el } from "./dom.js";
import { externalLink } from "./entry-view.js";
import { isOpen, navigate, opened, reloadUntil, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { fullName } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").Entry} Entry */
/** @typedef {import("./types.js").LinkChecks} LinkChecks */

const DEMO_DOWN = ["error", "unreachable", "refused"];
const REPO_MISSING = ["missing", "private", "error", "unreachable", "refused"];

/** @type {Record<string, string>} */
const DEMO_WORDS = { live: "Live", error: "Answers with an error", unreachable: "Unreachable", refused: "Refused: not fetched", unchecked: "Not checked" };
/** @type {Record<string, string>} */
const REPO_WORDS = {
  public: "Public",
  private: "Private",
  missing: "Missing, or private",
  reachable: "Page answers (no forge API for this host)",
  error: "Answers with an error",
  unreachable: "Unreachable",
  refused: "Refused: not fetched",
  unchecked: "Not checked",
};

/**
 * The warnings a judge should see at a glance, as badges: demo down, repository missing, a
 * fork, a repository older than the contest, a link another entry shares, a slot under review.
 * @param {Entry} entry
 */
export function checkBadges(entry) {
  /** @type {[string, string, string][]} */
  const found = [];
  if (entry.provisional_until != null) found.push(["provisional", "Provisional", "A first-come box under review until the window ends"]);
  if (DEMO_DOWN.includes(String(entry.demo_status))) found.push(["down", "Demo down", `The demo is ${entry.demo_status}${entry.demo_http ? ` (${Number(entry.demo_http)})` : ""}`]);
  if (REPO_MISSING.includes(String(entry.repo_status))) found.push(["down", "Repo missing", `The repository is ${entry.repo_status}`]);
  if (entry.repo_fork === 1) found.push(["note", "Fork", "The repository is a fork of another"]);
  if (entry.repo_before_contest === 1) found.push(["note", "Older repo", "The repository was created before the contest opened"]);
  if (entry.shared_link) found.push(["shared", "Shared link", "Another entry submitted the same repository or demo"]);
  return found.map(([kind, label, title]) => el("span", { class: `badge check ${kind}`, title, "data-testid": "check-badge" }, label));
}

/**
 * @param {string | null | undefined} status
 * @param {number | null | undefined} http
 * @param {Record<string, string>} words
 */
function outcome(status, http, words) {
  if (!status) return "Checking…";
  return `${words[status] ?? status}${http ? ` (HTTP ${Number(http)})` : ""}`;
}

/** The drawer's "Checks" section for the open entry. */
export function renderChecks() {
  if (!sections.checks) return;
  const { detail, id } = opened();
  const { entry } = detail;
  const heading = el("h3", { id: "drawer-checks-heading" }, "Checks");
  if (entry.submission_version == null) {
    sections.checks.replaceChildren(heading, el("p", { class: "hint" }, "Links are checked once the entrant submits."));
    return;
  }
  const checks = detail.checks ?? null;
  const facts = el("dl", { class: "meta" });
  if (!checks || checks.check_version === 0) {
    facts.append(el("dt", {}, "Links"), el("dd", {}, checks?.waiting ? "Waiting for the forge's rate limit to pass…" : "Being checked…"));
  } else {
    facts.append(
      el("dt", {}, "Demo"), el("dd", { "data-testid": "check-demo" }, outcome(checks.demo_status, checks.demo_http, DEMO_WORDS), checks.demo_detail ? el("span", { class: "sub" }, checks.demo_detail) : null),
      el("dt", {}, "Repository"), el("dd", { "data-testid": "check-repo" }, outcome(checks.repo_status, checks.repo_http, REPO_WORDS), checks.repo_detail ? el("span", { class: "sub" }, checks.repo_detail) : null),
    );
    if (checks.repo_created_at != null) {
      facts.append(el("dt", {}, "Created"), el("dd", {}, when(checks.repo_created_at), checks.repo_before_contest ? " — before the contest opened" : ""));
    }
    if (checks.repo_pushed_at != null) facts.append(el("dt", {}, "Last push"), el("dd", {}, when(checks.repo_pushed_at)));
    if (checks.repo_fork != null) facts.append(el("dt", {}, "Fork"), el("dd", {}, checks.repo_fork ? "Yes" : "No"));
    facts.append(el("dt", {}, "Checked"), el("dd", {}, when(checks.checked_at), ` (version ${Number(checks.checked_submission)})`, checks.waiting ? " — a newer check waits for a rate limit" : ""));
  }
  const shared = detail.shared ?? [];
  const sharing = shared.length
    ? el("div", { "data-testid": "shared-with" },
        el("p", {}, `Shares a link with ${shared.length === 1 ? "another entry" : `${shared.length} other entries`}:`),
        el("ul", { class: "shared" }, shared.map((other) => {
          const open = el("button", { type: "button", class: "secondary small", "data-testid": "open-shared" }, other.title ?? (fullName(other) || "Entry"));
          open.addEventListener("click", () => navigate.open(other.id));
          return el("li", {}, open, " ", other.links.map((link) => el("span", { class: "sub" }, `${link.kind === "repo" ? "their repository" : "their demo"}: `, externalLink(`https://${link.url}`, link.url))));
        })))
    : el("p", { class: "hint" }, "No other entry shares its repository or demo.");
  const parts = [heading, el("div", { class: "badges" }, checkBadges({ ...entry, ...(checks ?? {}), shared_link: shared.length ? 1 : 0 })), facts, sharing];
  if (me.role === "organiser") parts.push(recheckButton(id));
  sections.checks.replaceChildren(...parts);
}

/** @param {string} id */
function recheckButton(id) {
  const button = el("button", { type: "button", class: "secondary small", "data-testid": "recheck" }, "Check the links again");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      /** @type {{ version: number }} */
      const { version } = await api(`/admin/api/entries/${encodeURIComponent(id)}/checks`, { method: "POST", body: {} });
      say("The links are being checked again.", "good");
      await reloadUntil(id, (detail) => Number(detail.checks?.check_version) >= version);
      if (isOpen(id)) renderChecks();
    } catch (error) {
      say(`Could not check again: ${asApiError(error).message}`, "bad");
      button.disabled = false;
    }
  });
  return el("div", { class: "actions" }, button);
}
