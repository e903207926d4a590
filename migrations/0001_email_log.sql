-- Every email job the queue consumer has handled, by job key. Never holds a link code.
CREATE TABLE email_log (
  key TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  recipient TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sent', 'retrying', 'failed', 'dead')),
  attempts INTEGER NOT NULL,
  provider TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX email_log_by_status ON email_log (status, updated_at);

-- Development only: what the `capture` provider caught, shown at /dev/mailbox.
CREATE TABLE dev_mailbox (
  key TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  html TEXT NOT NULL,
  captured_at INTEGER NOT NULL
);
CREATE INDEX dev_mailbox_by_time ON dev_mailbox (captured_at);
