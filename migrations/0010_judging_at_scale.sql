-- Judging at scale: assignment (leases and skips), conflicts of interest, organisers'
-- notes, blind search. Others' migrations take 0008 and 0009; this one depends on neither.

-- A judge's score of an entry they are in conflict with stays stored but counts nowhere:
-- not in the entry's mean, not in the z-scores, not as a review. Kept in step with
-- `conflicts` by the statements that change either (src/store/conflicts.ts).
ALTER TABLE scores ADD COLUMN conflicted INTEGER NOT NULL DEFAULT 0;

-- An entry handed to a judge by GET /admin/api/next, until `expires_at`: it counts as a
-- review in progress, so no other judge is sent to it past REVIEWS_PER_ENTRY. Scoring or
-- skipping the entry ends the lease; an expired row is reused by the next lease.
CREATE TABLE leases (
  entry_id TEXT NOT NULL,
  judge TEXT NOT NULL,
  leased_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (entry_id, judge)
);
CREATE INDEX leases_by_expiry ON leases (expires_at);
CREATE INDEX leases_by_judge ON leases (judge, expires_at);

-- Entries a judge asked not to be given again.
CREATE TABLE skips (
  entry_id TEXT NOT NULL,
  judge TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  skipped_at INTEGER NOT NULL,
  PRIMARY KEY (entry_id, judge)
);
CREATE INDEX skips_by_judge ON skips (judge);

-- A judge's conflicts of interest: an entrant's email address, an email domain (and its
-- subdomains), or an entry id; declared by the judge or added by an organiser.
CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  judge TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'domain', 'entry')),
  value TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  declared_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (judge, kind, value)
);

-- Organisers' private notes on an entry.
CREATE TABLE entry_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entry_id TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX entry_notes_by_entry ON entry_notes (entry_id, id);

-- `next` walks the entries in contest by reviews so far, oldest submission first.
CREATE INDEX entries_by_reviews ON entries (scores_count, submitted_at, id) WHERE submission_version IS NOT NULL;

-- Search gets two columns, who (names and email) and work (title and description), so
-- that a judge under BLIND_JUDGING searches the work alone. The triggers are rebuilt with
-- the table; their product half is unchanged.
DROP TRIGGER entries_indexed_on_insert;
DROP TRIGGER entries_unindexed_on_delete;
DROP TRIGGER entries_indexed_on_update;
DROP TABLE entries_search;
CREATE VIRTUAL TABLE entries_search USING fts5(who, work, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO entries_search (rowid, who, work)
  SELECT rowid, firstname || ' ' || lastname || ' ' || email, coalesce(title, '') || ' ' || coalesce(description, '') FROM entries;

CREATE TRIGGER entries_indexed_on_insert AFTER INSERT ON entries BEGIN
  INSERT OR REPLACE INTO entries_search (rowid, who, work) VALUES (new.rowid,
    new.firstname || ' ' || new.lastname || ' ' || new.email, coalesce(new.title, '') || ' ' || coalesce(new.description, ''));
  INSERT OR IGNORE INTO entry_products (product, entry_id) SELECT value, new.id FROM json_each(new.products);
END;

CREATE TRIGGER entries_unindexed_on_delete AFTER DELETE ON entries BEGIN
  DELETE FROM entries_search WHERE rowid = old.rowid;
  DELETE FROM entry_products WHERE entry_id = old.id;
END;

CREATE TRIGGER entries_indexed_on_update AFTER UPDATE OF version ON entries BEGIN
  DELETE FROM entries_search WHERE rowid = old.rowid;
  INSERT INTO entries_search (rowid, who, work) VALUES (new.rowid,
    new.firstname || ' ' || new.lastname || ' ' || new.email, coalesce(new.title, '') || ' ' || coalesce(new.description, ''));
  DELETE FROM entry_products WHERE entry_id = old.id;
  INSERT INTO entry_products (product, entry_id) SELECT value, new.id FROM json_each(new.products);
END;
