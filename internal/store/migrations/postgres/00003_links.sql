-- +goose Up
CREATE TABLE record_links (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    from_type  TEXT NOT NULL,
    from_id    TEXT NOT NULL,
    to_type    TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (org_id, from_type, from_id, to_type, to_id)
);
CREATE INDEX record_links_to ON record_links (org_id, to_type, to_id, from_type);

-- +goose Down
SELECT 1;
