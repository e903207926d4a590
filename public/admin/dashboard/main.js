// @ts-check
/**
 * The judges' dashboard (/admin): starts each part and connects them. The page's markup is
 * src/pages/admin.html; every part talks to the judges' API (docs/api.md).
 */
import { startAnnouncements } from "./announcements.js";
import { startAudit } from "./audit.js";
import { startContent } from "./content.js";
import { startDeadLetters } from "./dead-letters.js";
import { startDrawer } from "./drawer.js";
import { startEmails } from "./emails.js";
import { startEntries } from "./entries.js";
import { startExports } from "./exports.js";
import { afterChange } from "./open-entry.js";
import { startPool } from "./pool.js";
import { me, profileLoaded } from "./profile.js";
import { startResults } from "./results.js";
import { startSessions } from "./sessions.js";
import { startStats } from "./stats.js";
import { startTasks } from "./tasks.js";

const profile = profileLoaded();
/** @type {ReturnType<typeof startDrawer>} */
let drawer;
const entries = startEntries({ open: (id) => drawer.open(id) });
drawer = startDrawer(entries);
const stats = startStats({ products: entries.fillProducts });
const emails = startEmails();
startDeadLetters();
startTasks();
startExports();
const audit = startAudit();

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
