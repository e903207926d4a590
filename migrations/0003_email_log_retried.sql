-- An email an organiser sent again is marked 'retried', so it is not retried twice.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows.
CREATE TABLE email_log_next (
  key TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  recipient TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sent', 'retrying', 'failed', 'dead', 'retried')),
  attempts INTEGER NOT NULL,
  provider TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO email_log_next SELECT key, template, recipient, status, attempts, provider, last_error, created_at, updated_at FROM email_log;
DROP TABLE email_log;
ALTER TABLE email_log_next RENAME TO email_log;
CREATE INDEX email_log_by_status ON email_log (status, updated_at);
