-- One box per person (issue 14). Four columns of the Registrant's projection (versioned,
-- written by the index consumer like the rest of the row): the canonical mailbox the
-- registrant is keyed by, when it was disqualified, and whether another winner gave the
-- same postal address (with the other winners' ids). Rows written before get the values
-- with the registrant's next row, or a rebuild; the mailbox of an older row is its email,
-- which was the key then.
ALTER TABLE entries ADD COLUMN mailbox TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN disqualified_at INTEGER;
ALTER TABLE entries ADD COLUMN address_review TEXT CHECK (address_review IN ('pending', 'cleared'));
ALTER TABLE entries ADD COLUMN address_peers TEXT NOT NULL DEFAULT '[]';
UPDATE entries SET mailbox = email WHERE status != 'erased';

-- Owned by the judges' API, not the projection (like score): how many judges' flags for
-- organiser review are open on the entry.
ALTER TABLE entries ADD COLUMN flags_open INTEGER NOT NULL DEFAULT 0;

-- Judges flag an entry for organiser review with a note, one flag per judge per entry;
-- an organiser resolves them. Erasure deletes an entry's flags.
CREATE TABLE review_flags (
  entry_id TEXT NOT NULL,
  judge TEXT NOT NULL,
  note TEXT NOT NULL,
  flagged_at INTEGER NOT NULL,
  resolved_at INTEGER,
  resolved_by TEXT,
  PRIMARY KEY (entry_id, judge)
);
CREATE INDEX review_flags_open ON review_flags (flagged_at) WHERE resolved_at IS NULL;

-- The dashboard's review filters read few rows: partial indexes keep them off the full table.
CREATE INDEX entries_flagged ON entries (registered_at, id) WHERE flags_open > 0;
CREATE INDEX entries_disqualified ON entries (registered_at, id) WHERE disqualified_at IS NOT NULL;
CREATE INDEX entries_address_review ON entries (registered_at, id) WHERE address_review IS NOT NULL;
