-- Index versions are now clock readings (milliseconds) rather than counters, and an
-- erasure's tombstone is versioned just above the erased registrant's last row instead of
-- at the largest integer. Tombstones written before this change get the time of this
-- migration: still above every counter-style version, and below the first row of anyone
-- who signs up again from now on.
UPDATE entries SET version = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE status = 'erased' AND version = 9007199254740991;
