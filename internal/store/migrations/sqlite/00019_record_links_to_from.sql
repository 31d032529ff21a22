-- +goose Up
-- The links arriving at a record are found by this index, and for each
-- link the table row was then read for the record it comes from (a
-- control's evidence, risks and requirements, an asset's dependants)
-- before that record itself: for a control with eighty pieces of evidence,
-- eighty more lookups. With the linking record's id in the index the links
-- are read from it alone.
DROP INDEX record_links_to;
CREATE INDEX record_links_to ON record_links (org_id, to_type, to_id, from_type, from_id);

-- +goose Down
DROP INDEX record_links_to;
CREATE INDEX record_links_to ON record_links (org_id, to_type, to_id, from_type);
