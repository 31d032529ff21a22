-- +goose Up
-- PostgreSQL's sort indexes became partial indexes of active records in
-- this version. SQLite treats "archived_at IS NULL" as fixing archived_at
-- and orders pages straight from its (org_id, archived_at, key, id)
-- indexes, so it keeps them; this step keeps both databases' schema
-- versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
