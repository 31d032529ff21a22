-- +goose Up
-- A search (q=) matches a text in any of a register's searched columns, so
-- it tests every record of the register. These indexes hold each record's
-- searched columns joined by char(31), the expression the store searches
-- (table.searchText), with the record's id: counting the matches, and
-- listing them when they are few, reads only the index, with one LIKE per
-- record instead of one per column. The expression must stay exactly the
-- store's, or SQLite reads the table again (a test checks the plans).
CREATE INDEX people_search ON people (org_id, archived_at,
    (name || char(31) || email || char(31) || job_title || char(31) || department || char(31) || ref), id);
CREATE INDEX actions_search ON actions (org_id, archived_at,
    (title || char(31) || description || char(31) || ref), id);
CREATE INDEX assets_search ON assets (org_id, archived_at,
    (name || char(31) || description || char(31) || location || char(31) || custodian_text || char(31) || ref), id);
CREATE INDEX risks_search ON risks (org_id, archived_at,
    (title || char(31) || description || char(31) || ref || char(31) || category), id);
CREATE INDEX evidence_search ON evidence (org_id, archived_at,
    (ref || char(31) || title || char(31) || description || char(31) || file_name || char(31) || url), id);

-- +goose Down
SELECT 1;
