-- +goose Up
-- Every list of assets shows the references of the assets each depends on.
-- Gathering them from the links for every row cost a list page about a
-- fifth of its time, so the asset keeps them, comma-separated and sorted;
-- the store rewrites them whenever an asset → asset link is added or
-- removed (references never change).
ALTER TABLE assets ADD COLUMN depends_on_refs TEXT NOT NULL DEFAULT '';
UPDATE assets SET depends_on_refs = COALESCE((SELECT string_agg(d.ref, ',' ORDER BY d.ref) FROM record_links l
    JOIN assets d ON d.org_id = l.org_id AND d.id = l.to_id
    WHERE l.org_id = assets.org_id AND l.from_type = 'asset' AND l.from_id = assets.id AND l.to_type = 'asset'), '');

-- +goose Down
ALTER TABLE assets DROP COLUMN depends_on_refs;
