-- +goose Up
-- Each SoA version's summary (its controls by decision, the implemented
-- ones and the warnings), kept with it so that listing versions needs no
-- decoding of their entries. Versions approved before are counted from
-- their entries.
ALTER TABLE soa_versions ADD COLUMN controls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE soa_versions ADD COLUMN included INTEGER NOT NULL DEFAULT 0;
ALTER TABLE soa_versions ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE soa_versions ADD COLUMN undecided INTEGER NOT NULL DEFAULT 0;
ALTER TABLE soa_versions ADD COLUMN implemented INTEGER NOT NULL DEFAULT 0;
ALTER TABLE soa_versions ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;

-- Versions stay immutable: the trigger is lifted for this one update only.
DROP TRIGGER soa_versions_no_update;
UPDATE soa_versions SET
    controls    = (SELECT COUNT(*) FROM json_each(soa_versions.entries)),
    included    = (SELECT COUNT(*) FROM json_each(soa_versions.entries) WHERE json_extract(value, '$.decision') = 'included'),
    excluded    = (SELECT COUNT(*) FROM json_each(soa_versions.entries) WHERE json_extract(value, '$.decision') = 'excluded'),
    undecided   = (SELECT COUNT(*) FROM json_each(soa_versions.entries)
                   WHERE COALESCE(json_extract(value, '$.decision'), '') NOT IN ('included', 'excluded')),
    implemented = (SELECT COUNT(*) FROM json_each(soa_versions.entries) WHERE json_extract(value, '$.status') = 'implemented'),
    warnings    = (SELECT COALESCE(SUM(json_array_length(value, '$.warnings')), 0) FROM json_each(soa_versions.entries))
WHERE json_type(entries) = 'array';
-- +goose StatementBegin
CREATE TRIGGER soa_versions_no_update BEFORE UPDATE ON soa_versions
BEGIN
    SELECT RAISE(ABORT, 'published SoA versions are immutable');
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
