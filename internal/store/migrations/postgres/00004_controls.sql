-- +goose Up
CREATE TABLE controls (
    id                       TEXT PRIMARY KEY,
    org_id                   TEXT NOT NULL REFERENCES organisations (id),
    ref                      TEXT NOT NULL,
    version                  INTEGER NOT NULL,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    created_by               TEXT NOT NULL,
    updated_by               TEXT NOT NULL,
    archived_at              TEXT,
    kind                     TEXT NOT NULL,
    catalog_id               TEXT NOT NULL DEFAULT '',
    sort_key                 TEXT NOT NULL,
    title                    TEXT NOT NULL,
    description              TEXT NOT NULL DEFAULT '',
    theme                    TEXT NOT NULL,
    control_types            TEXT NOT NULL DEFAULT '',
    security_properties      TEXT NOT NULL DEFAULT '',
    cybersecurity_concepts   TEXT NOT NULL DEFAULT '',
    operational_capabilities TEXT NOT NULL DEFAULT '',
    security_domains         TEXT NOT NULL DEFAULT '',
    related_ids              TEXT NOT NULL DEFAULT '',
    owner_id                 TEXT REFERENCES users (id),
    status                   TEXT NOT NULL,
    implementation           TEXT NOT NULL DEFAULT '',
    last_review              TEXT NOT NULL DEFAULT '',
    next_review              TEXT NOT NULL DEFAULT '',
    effectiveness            TEXT NOT NULL DEFAULT '',
    licensed_text            TEXT NOT NULL DEFAULT '',
    decision                 TEXT NOT NULL DEFAULT '',
    justification            TEXT NOT NULL DEFAULT '',
    exclusion_reason         TEXT NOT NULL DEFAULT '',
    replaced_by_id           TEXT REFERENCES controls (id),
    exclusion_text           TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, ref)
);
CREATE UNIQUE INDEX controls_catalog ON controls (org_id, catalog_id) WHERE catalog_id <> '';
CREATE INDEX controls_active ON controls (org_id, archived_at);
CREATE INDEX controls_sort ON controls (org_id, archived_at, sort_key, id);
CREATE INDEX controls_title ON controls (org_id, archived_at, lower(title), id);
CREATE INDEX controls_theme ON controls (org_id, archived_at, theme, id);
CREATE INDEX controls_status ON controls (org_id, archived_at, status, id);
CREATE INDEX controls_decision ON controls (org_id, archived_at, decision, id);
CREATE INDEX controls_next_review ON controls (org_id, archived_at, next_review, id);
CREATE INDEX controls_updated ON controls (org_id, archived_at, updated_at, id);
CREATE INDEX controls_owner ON controls (org_id, owner_id, archived_at);

CREATE TABLE evidence (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    ref          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    archived_at  TEXT,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    owner_id     TEXT REFERENCES users (id),
    collected_on TEXT NOT NULL DEFAULT '',
    valid_until  TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    file_name    TEXT NOT NULL DEFAULT '',
    file_size    BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, ref)
);
CREATE INDEX evidence_active ON evidence (org_id, archived_at);
CREATE INDEX evidence_title ON evidence (org_id, archived_at, lower(title), id);
CREATE INDEX evidence_ref ON evidence (org_id, archived_at, ref, id);
CREATE INDEX evidence_collected ON evidence (org_id, archived_at, collected_on, id);
CREATE INDEX evidence_valid ON evidence (org_id, archived_at, valid_until, id);
CREATE INDEX evidence_updated ON evidence (org_id, archived_at, updated_at, id);
CREATE INDEX evidence_owner ON evidence (org_id, owner_id, archived_at);
CREATE INDEX evidence_kind ON evidence (org_id, kind, archived_at);

-- Published SoA versions are immutable: rows are only ever inserted.
CREATE TABLE soa_versions (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    number        INTEGER NOT NULL,
    approved_at   TEXT NOT NULL,
    approved_by   TEXT NOT NULL REFERENCES users (id),
    approver_role TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    entries       TEXT NOT NULL,
    UNIQUE (org_id, number)
);

-- +goose StatementBegin
CREATE FUNCTION soa_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published SoA versions are immutable';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER soa_versions_no_update BEFORE UPDATE ON soa_versions
    FOR EACH ROW EXECUTE FUNCTION soa_versions_immutable();
CREATE TRIGGER soa_versions_no_delete BEFORE DELETE ON soa_versions
    FOR EACH ROW EXECUTE FUNCTION soa_versions_immutable();

-- +goose Down
SELECT 1;
