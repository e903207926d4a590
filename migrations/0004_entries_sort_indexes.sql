-- The judges' list sorts by submission time or score with entries that have none last, as
-- COALESCE(column, -1e15) (src/judges/entries-query.ts). SQLite uses an index for such an
-- ORDER BY only when the index is on the same expression, written the same way; with one,
-- a page of 50 is read off the index instead of sorting every matching row. The plain
-- column indexes served no query and go.
DROP INDEX entries_by_submitted;
DROP INDEX entries_by_score;
CREATE INDEX entries_by_submission_rank ON entries (COALESCE(submitted_at, -1e15), id);
CREATE INDEX entries_by_score_rank ON entries (COALESCE(score, -1e15), id);
CREATE INDEX entries_by_status_submission_rank ON entries (status, COALESCE(submitted_at, -1e15), id);
CREATE INDEX entries_by_status_score_rank ON entries (status, COALESCE(score, -1e15), id);
