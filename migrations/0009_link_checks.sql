-- Submissions checked for judges (issue 15): the checks' results, the links entrants share,
-- and the first-come review window.

-- The latest check of each entry's links, written by the link-check consumer. Judges' side:
-- not part of the Registrant's projection. `check_version` rises with every check the
-- registrant asks for (a clock reading), so an older check never replaces a newer one, and
-- an erasure's tombstone (versioned above it) keeps a late result out. `pending_*` is the
-- lease of a check waiting out a forge's rate limit, so its registrant does not send it again.
CREATE TABLE link_checks (
  entry_id TEXT PRIMARY KEY,
  check_version INTEGER NOT NULL DEFAULT 0,
  checked_submission INTEGER,
  checked_at INTEGER,
  demo_status TEXT,
  demo_http INTEGER,
  demo_detail TEXT,
  repo_status TEXT,
  repo_http INTEGER,
  repo_detail TEXT,
  repo_created_at INTEGER,
  repo_pushed_at INTEGER,
  repo_fork INTEGER,
  -- 1 when the repository was created before the contest opened (marked, not refused).
  repo_before_contest INTEGER,
  pending_version INTEGER NOT NULL DEFAULT 0,
  pending_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX link_checks_demo ON link_checks (demo_status);
CREATE INDEX link_checks_repo ON link_checks (repo_status);

-- Who holds each normalised repository or demo URL, as that URL's SharedLink object decided:
-- each registrant's newest claim (`kinds`, a JSON list of "repo" and "demo"; [] once let go),
-- written by the object with the claim's version, so an older claim never replaces a newer
-- one. An entry shares a link when another entry holds one of its URLs.
CREATE TABLE link_owners (
  url TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  kinds TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (url, entry_id)
);
CREATE INDEX link_owners_by_entry ON link_owners (entry_id, url);

-- A first-come slot under review: until when (projected by the Registrant; null otherwise).
ALTER TABLE entries ADD COLUMN provisional_until INTEGER;

-- Task kinds are the message contract's (TASK_KINDS, checked on every step); the table no
-- longer repeats them in a CHECK, so a new kind ("recheck" here) needs no rebuild again.
CREATE TABLE task_runs_next (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done')),
  cursor TEXT,
  total INTEGER NOT NULL,
  processed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  started_by TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
INSERT INTO task_runs_next SELECT id, kind, status, cursor, total, processed, failed, started_by, started_at, updated_at, finished_at FROM task_runs;
DROP TABLE task_runs;
ALTER TABLE task_runs_next RENAME TO task_runs;
CREATE INDEX task_runs_by_start ON task_runs (started_at);
