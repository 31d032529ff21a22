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
ALTER TABLE soa_versions DISABLE TRIGGER soa_versions_no_update;
UPDATE soa_versions v SET
    controls = c.controls, included = c.included, excluded = c.excluded,
    undecided = c.undecided, implemented = c.implemented, warnings = c.warnings
FROM (
    SELECT s.id,
        COUNT(*) AS controls,
        COUNT(*) FILTER (WHERE e->>'decision' = 'included') AS included,
        COUNT(*) FILTER (WHERE e->>'decision' = 'excluded') AS excluded,
        COUNT(*) FILTER (WHERE COALESCE(e->>'decision', '') NOT IN ('included', 'excluded')) AS undecided,
        COUNT(*) FILTER (WHERE e->>'status' = 'implemented') AS implemented,
        COALESCE(SUM(CASE WHEN jsonb_typeof(e->'warnings') = 'array' THEN jsonb_array_length(e->'warnings') END), 0) AS warnings
    FROM soa_versions s
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(s.entries::jsonb) = 'array' THEN s.entries::jsonb ELSE '[]'::jsonb END) AS e
    GROUP BY s.id
) c
WHERE c.id = v.id;
ALTER TABLE soa_versions ENABLE TRIGGER soa_versions_no_update;

-- +goose Down
SELECT 1;
