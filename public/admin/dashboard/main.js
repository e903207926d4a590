// @ts-check
/**
 * The judges' dashboard (/admin): starts each part and connects them. The page's markup is
 * src/pages/admin.html; every part talks to the judges' API (docs/api.md).
 */
import { startAnnouncements } from "./announcements.js";
import { startAudit } from "./audit.js";
import { startBans } from "./bans.js";
import { startContent } from "./content.js";
import { startDeadLetters } from "./dead-letters.js";
import { startDrawer } from "./drawer.js";
import { startEmails } from "./emails.js";
import { startEntries } from "./entries.js";
import { startExports } from "./exports.js";
import { afterChange, navigate } from "./open-entry.js";
import { startPool } from "./pool.js";
import { me, profileLoaded } from "./profile.js";
import { startResults } from "./results.js";
import { startReviewQueue } from "./review-queue.js";
import { startSessions } from "./sessions.js";
import { openOther } from "./shared-address.js";
import { startStats } from "./stats.js";
import { startTasks } from "./tasks.js";
import { startConflicts } from "./conflicts.js";
import { startNextEntry } from "./next-entry.js";
import { startProgress } from "./progress.js";
import { startTopN } from "./top-n.js";

const profile = profileLoaded();
/** @type {ReturnType<typeof startDrawer>} */
let drawer;
const entries = startEntries({ open: (id) => drawer.open(id) });
drawer = startDrawer(entries);
navigate.open = (id) => void drawer.open(id);
const stats = startStats({ products: entries.fillProducts });
const emails = startEmails();
startDeadLetters();
startTasks();
startExports();
const audit = startAudit();
// The review card is the organisers' (the page shows it to them only).
const reviewQueue = profileLoaded().then(() => (me.role === "organiser" ? (startBans(), startReviewQueue({ open: (id) => drawer.open(id) })) : null));
openOther.entry = (id) => drawer.open(id);

// The organisers' screens exist only on an organiser's page.
profile.then(() => {
  if (me.role !== "organiser") return;
  startPool({ changed: stats.refreshSoon });
  startContent();
  startAnnouncements();
  startResults();
  startSessions();
});

afterChange.list = () => {
  void entries.load();
  audit.refreshIfOpen();
};
afterChange.review = async (id) => {
  await drawer.refreshReview(id);
  (await reviewQueue)?.refreshIfOpen();
};
afterChange.stats = stats.refreshSoon;
afterChange.erased = async (id) => {
  // The row is rebuilt by the refresh below; focus goes to it (or the search box) after.
  drawer.closeWithoutFocus(id);
  await entries.load();
  if (!entries.focusRow(id)) entries.focusSearch();
  stats.refreshSoon();
  emails.refreshIfOpen();
};

// Product names come with the profile; wait for it so the filter shows names, not ids.
profile.then(stats.load).then(() => {
  // Another judge's award or revoke shows up as a change of the live number.
  stats.onPrizesChange(stats.refreshSoon);
});
entries.load();

// Judging at scale: the next entry to review, progress, conflicts, the top-N award.
const progress = startProgress();
const nextEntry = startNextEntry(drawer);
const conflicts = startConflicts();
afterChange.reviewed = (id) => {
  progress.refreshSoon();
  void nextEntry.reviewed(id);
};
profile.then(() => {
  if (me.blind) entries.blind();
  if (me.role === "organiser") {
    startTopN({ awarded: () => {
      afterChange.list();
      afterChange.stats();
    } });
  }
  progress.load();
  conflicts.load();
});
