-- The judges' index: one row per registrant, a projection of its Registrant object.
-- Written only by the objects' outboxes, with versioned upserts: a row changes only when
-- the incoming version is newer. Never holds a link code.
CREATE TABLE entries (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  email TEXT NOT NULL,
  firstname TEXT NOT NULL,
  lastname TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('registered', 'submitted', 'winner', 'waitlisted', 'erased')),
  registered_at INTEGER NOT NULL,
  submitted_at INTEGER,
  amended_at INTEGER,
  submission_version INTEGER,
  title TEXT,
  description TEXT,
  repo_url TEXT,
  demo_url TEXT,
  products TEXT NOT NULL DEFAULT '[]',
  slot INTEGER,
  waitlist_position INTEGER,
  -- For winners: awaiting (an address), ready (to ship), shipped, expired (the hold ran out).
  shipping_status TEXT,
  hold_expires_at INTEGER,
  shipping_address TEXT,
  tracking_url TEXT,
  -- Owned by the judges' API, not the projection: the mean of the judges' weighted scores.
  score REAL,
  scores_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_by_registered ON entries (registered_at, id);
CREATE INDEX entries_by_submitted ON entries (submitted_at, id);
CREATE INDEX entries_by_score ON entries (score, id);
CREATE INDEX entries_by_status ON entries (status, registered_at, id);

CREATE TABLE entry_products (
  product TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  PRIMARY KEY (product, entry_id)
);

-- Full-text search over names, email, title and description; rowid is entries.rowid.
CREATE VIRTUAL TABLE entries_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER entries_indexed_on_insert AFTER INSERT ON entries BEGIN
  INSERT OR REPLACE INTO entries_search (rowid, body) VALUES (new.rowid,
    new.firstname || ' ' || new.lastname || ' ' || new.email || ' ' || coalesce(new.title, '') || ' ' || coalesce(new.description, ''));
  INSERT OR IGNORE INTO entry_products (product, entry_id) SELECT value, new.id FROM json_each(new.products);
END;

CREATE TRIGGER entries_unindexed_on_delete AFTER DELETE ON entries BEGIN
  DELETE FROM entries_search WHERE rowid = old.rowid;
  DELETE FROM entry_products WHERE entry_id = old.id;
END;

CREATE TRIGGER entries_indexed_on_update AFTER UPDATE OF version ON entries BEGIN
  DELETE FROM entries_search WHERE rowid = old.rowid;
  INSERT INTO entries_search (rowid, body) VALUES (new.rowid,
    new.firstname || ' ' || new.lastname || ' ' || new.email || ' ' || coalesce(new.title, '') || ' ' || coalesce(new.description, ''));
  DELETE FROM entry_products WHERE entry_id = old.id;
  INSERT INTO entry_products (product, entry_id) SELECT value, new.id FROM json_each(new.products);
END;

-- One score per judge per entry, on the rubric in force when it was given.
CREATE TABLE scores (
  entry_id TEXT NOT NULL,
  judge TEXT NOT NULL,
  criteria TEXT NOT NULL,
  weighted REAL NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (entry_id, judge)
);
CREATE INDEX scores_by_judge ON scores (judge);

-- Who did what, when: every state-changing admin action.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_time ON audit_log (at);
