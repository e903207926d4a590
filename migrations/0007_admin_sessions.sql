-- Dashboard sessions, held on the server: the cookie carries a random secret, and a row
-- here (keyed by the secret's SHA-256) says whose it is and until when. Signing out or
-- an organiser's revocation deletes the row; a session whose ADMIN_TOKENS entry is gone
-- (token_sha256) is refused, so rotating a judge's token ends their sessions.
CREATE TABLE admin_sessions (
  id TEXT PRIMARY KEY,
  judge TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('judge', 'organiser')),
  token_sha256 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at);
