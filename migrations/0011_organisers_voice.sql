-- The organisers' voice: their own words on the pages, announcements to a segment of
-- entrants, unsubscribes from announcements, published results, and the winners' consent.

-- Every version of the organiser-written page content (Markdown), newest last. The pages
-- read the latest from the KV snapshot "content", which the saving route writes after this.
CREATE TABLE content_versions (
  version INTEGER PRIMARY KEY AUTOINCREMENT,
  fields TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);

-- An announcement: an email an organiser writes to a segment of entrants. A draft can be
-- changed; sending walks the segment in steps (cursor: the last registrant id queued),
-- then confirms from the email log that every recipient's email settled.
CREATE TABLE announcements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  segment TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'confirming', 'done')),
  cursor TEXT,
  -- The segment's size when the send started (unsubscribed entrants left out).
  total INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_by TEXT,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX announcements_by_status ON announcements (status, id);

-- Who an announcement's send queued an email for, and that email's key in email_log: the
-- run's progress and its confirmation read the log through it. Only opaque ids.
CREATE TABLE announcement_recipients (
  announcement_id INTEGER NOT NULL,
  registrant_id TEXT NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (announcement_id, registrant_id)
);
CREATE INDEX announcement_recipients_by_registrant ON announcement_recipients (registrant_id);

-- Entrants who followed an announcement's unsubscribe link: they get no more announcements
-- (transactional emails about their own entry still go). Erasure deletes the row.
CREATE TABLE unsubscribes (
  registrant_id TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);

-- Each publication (or withdrawal) of the results; the winners page reads the KV snapshot
-- "results" that the publishing route writes after this.
CREATE TABLE result_publications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  action TEXT NOT NULL CHECK (action IN ('publish', 'withdraw')),
  listed INTEGER NOT NULL,
  unlisted INTEGER NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);

-- A winner's consent to be listed on the public winners page, projected from their object.
ALTER TABLE entries ADD COLUMN showcase INTEGER NOT NULL DEFAULT 0;

-- The development mailbox keeps an email's custom headers (List-Unsubscribe…) to show them.
ALTER TABLE dev_mailbox ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';

-- The audit log's filters in the dashboard: by who, by what, by which entry.
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_target ON audit_log (target, id);
