-- Exactly-once email: the email log becomes a state machine written before the provider is
-- called. A job is claimed for one provider request (its batch) with a lease; `sending` and
-- `retrying` belong to that batch until it settles as `sent`, `failed` or `dead`.
CREATE TABLE email_log_next (
  key TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  recipient TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sending', 'retrying', 'sent', 'failed', 'dead', 'retried')),
  batch_id TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL,
  provider TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO email_log_next (key, template, recipient, status, attempts, provider, last_error, created_at, updated_at)
  SELECT key, template, recipient, status, attempts, provider, last_error, created_at, updated_at FROM email_log;
DROP TABLE email_log;
ALTER TABLE email_log_next RENAME TO email_log;
CREATE INDEX email_log_by_status ON email_log (status, updated_at);
CREATE INDEX email_log_by_batch ON email_log (batch_id);
-- Erasure deletes an entrant's log by recipient.
CREATE INDEX email_log_by_recipient ON email_log (recipient);
CREATE INDEX dev_mailbox_by_recipient ON dev_mailbox (recipient);

-- A provider that said "slow down" (a rate limit, a quota, a sender not yet verified):
-- every consumer waits until `until` before calling it again; `strikes` counts such answers
-- in a row, so that each pause is longer than the last until a send goes through.
CREATE TABLE provider_pause (
  provider TEXT PRIMARY KEY,
  until INTEGER NOT NULL,
  strikes INTEGER NOT NULL,
  reason TEXT NOT NULL
);

-- Every registrant, written by the Registrant object itself when it is first registered
-- (not through the index): background tasks walk it, so a registrant whose index row was
-- lost is still found. Holds only the opaque id.
CREATE TABLE registrants (
  id TEXT PRIMARY KEY,
  registered_at INTEGER NOT NULL
);
INSERT OR IGNORE INTO registrants (id, registered_at) SELECT id, registered_at FROM entries;

-- Every job that ran out of retries, or was refused for good, on any topic: what organisers
-- see and retry. One row per topic and key.
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  key TEXT NOT NULL,
  origin TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'retried')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (topic, key)
);
CREATE INDEX dead_letters_by_status ON dead_letters (status, id);

-- Background work in bounded steps through the tasks queue (reindex, retention, flush).
CREATE TABLE task_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('reindex', 'retention', 'flush')),
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
CREATE INDEX task_runs_by_start ON task_runs (started_at);
