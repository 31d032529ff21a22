-- +goose Up
CREATE TABLE assets (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    ref             TEXT NOT NULL,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    archived_at     TEXT,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    type            TEXT NOT NULL,
    owner_id        TEXT REFERENCES users (id),
    custodian_id    TEXT REFERENCES users (id),
    custodian_text  TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    classification  TEXT NOT NULL,
    confidentiality INTEGER NOT NULL DEFAULT 0,
    integrity       INTEGER NOT NULL DEFAULT 0,
    availability    INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    UNIQUE (org_id, ref)
);
-- List indexes: organisation, archive state, then each sort key.
CREATE INDEX assets_active ON assets (org_id, archived_at);
CREATE INDEX assets_name ON assets (org_id, archived_at, lower(name), id);
CREATE INDEX assets_ref ON assets (org_id, archived_at, ref, id);
CREATE INDEX assets_type_sort ON assets (org_id, archived_at, type, id);
CREATE INDEX assets_state_sort ON assets (org_id, archived_at, state, id);
CREATE INDEX assets_location_sort ON assets (org_id, archived_at, lower(location), id);
CREATE INDEX assets_updated ON assets (org_id, archived_at, updated_at, id);
CREATE INDEX assets_created ON assets (org_id, archived_at, created_at, id);
-- Filters.
CREATE INDEX assets_type ON assets (org_id, type, archived_at);
CREATE INDEX assets_classification ON assets (org_id, classification, archived_at);
CREATE INDEX assets_state ON assets (org_id, state, archived_at);
CREATE INDEX assets_owner ON assets (org_id, owner_id, archived_at);
CREATE INDEX assets_custodian ON assets (org_id, custodian_id, archived_at);
-- Names are unique among active assets, so that an import can refer to them.
CREATE UNIQUE INDEX assets_name_unique ON assets (org_id, lower(name)) WHERE archived_at IS NULL;

CREATE TABLE threats (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    ref          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    archived_at  TEXT,
    catalogue_id TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL,
    controls     TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, ref)
);
CREATE INDEX threats_active ON threats (org_id, archived_at);
CREATE INDEX threats_ref ON threats (org_id, archived_at, ref, id);
CREATE INDEX threats_title ON threats (org_id, archived_at, lower(title), id);
CREATE INDEX threats_category_sort ON threats (org_id, archived_at, category, id);
CREATE INDEX threats_updated ON threats (org_id, archived_at, updated_at, id);
CREATE INDEX threats_category ON threats (org_id, category, archived_at);
CREATE UNIQUE INDEX threats_catalogue ON threats (org_id, catalogue_id) WHERE catalogue_id <> '';

CREATE TABLE vulnerabilities (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    ref          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    archived_at  TEXT,
    catalogue_id TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL,
    controls     TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, ref)
);
CREATE INDEX vulnerabilities_active ON vulnerabilities (org_id, archived_at);
CREATE INDEX vulnerabilities_ref ON vulnerabilities (org_id, archived_at, ref, id);
CREATE INDEX vulnerabilities_title ON vulnerabilities (org_id, archived_at, lower(title), id);
CREATE INDEX vulnerabilities_category_sort ON vulnerabilities (org_id, archived_at, category, id);
CREATE INDEX vulnerabilities_updated ON vulnerabilities (org_id, archived_at, updated_at, id);
CREATE INDEX vulnerabilities_category ON vulnerabilities (org_id, category, archived_at);
CREATE UNIQUE INDEX vulnerabilities_catalogue ON vulnerabilities (org_id, catalogue_id) WHERE catalogue_id <> '';

-- +goose Down
SELECT 1;
