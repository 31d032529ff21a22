-- +goose Up
-- A search (q=) finds a text anywhere in a register's searched columns,
-- joined by chr(31) (table.searchText). Without help PostgreSQL tests every
-- record of the register; a trigram index of the joined, lowered text lets
-- it read only the records holding every three-letter piece of the search.
-- The indexes need the pg_trgm extension, which ships with PostgreSQL and
-- which a database owner may create (it is a trusted extension). Where it
-- cannot be created, searches still work, by scanning.
-- +goose StatementBegin
DO $$
BEGIN
    -- One block: if any step fails (no right to create the extension,
    -- or it lives in a schema outside the search path), all of it is
    -- undone and searches keep scanning.
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX people_search_trgm ON people USING gin
        (lower(name || chr(31) || email || chr(31) || job_title || chr(31) || department || chr(31) || ref) gin_trgm_ops);
    CREATE INDEX actions_search_trgm ON actions USING gin
        (lower(title || chr(31) || description || chr(31) || ref) gin_trgm_ops);
    CREATE INDEX assets_search_trgm ON assets USING gin
        (lower(name || chr(31) || description || chr(31) || location || chr(31) || custodian_text || chr(31) || ref) gin_trgm_ops);
    CREATE INDEX risks_search_trgm ON risks USING gin
        (lower(title || chr(31) || description || chr(31) || ref || chr(31) || category) gin_trgm_ops);
    CREATE INDEX evidence_search_trgm ON evidence USING gin
        (lower(ref || chr(31) || title || chr(31) || description || chr(31) || file_name || chr(31) || url) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no trigram search indexes (%); searches will scan the registers', SQLERRM;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS people_search_trgm;
DROP INDEX IF EXISTS actions_search_trgm;
DROP INDEX IF EXISTS assets_search_trgm;
DROP INDEX IF EXISTS risks_search_trgm;
DROP INDEX IF EXISTS evidence_search_trgm;
