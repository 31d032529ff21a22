-- +goose Up
CREATE TABLE risk_criteria (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organisations (id),
    ref                 TEXT NOT NULL DEFAULT '',
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    archived_at         TEXT,
    number              INTEGER NOT NULL,
    status              TEXT NOT NULL,
    name                TEXT NOT NULL,
    approach            TEXT NOT NULL,
    currency            TEXT NOT NULL DEFAULT '',
    notes               TEXT NOT NULL DEFAULT '',
    likelihood          TEXT NOT NULL,
    consequence         TEXT NOT NULL,
    dimensions          TEXT NOT NULL,
    levels              TEXT NOT NULL,
    matrix              TEXT NOT NULL,
    accept_level        TEXT NOT NULL,
    category_acceptance TEXT NOT NULL,
    approved_by         TEXT REFERENCES users (id),
    approved_at         TEXT,
    based_on_id         TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, number)
);
CREATE INDEX risk_criteria_active ON risk_criteria (org_id, archived_at);
CREATE INDEX risk_criteria_number ON risk_criteria (org_id, archived_at, number, id);
CREATE UNIQUE INDEX risk_criteria_one_draft ON risk_criteria (org_id) WHERE status = 'draft' AND archived_at IS NULL;
CREATE UNIQUE INDEX risk_criteria_one_approved ON risk_criteria (org_id) WHERE status = 'approved';

CREATE TABLE risks (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    ref                  TEXT NOT NULL,
    version              INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    updated_by           TEXT NOT NULL,
    archived_at          TEXT,
    kind                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    causes               TEXT NOT NULL DEFAULT '',
    impacts              TEXT NOT NULL DEFAULT '',
    category             TEXT NOT NULL DEFAULT '',
    owner_id             TEXT REFERENCES users (id),
    cia                  TEXT NOT NULL DEFAULT '',
    existing_controls    TEXT NOT NULL DEFAULT '',
    criteria_id          TEXT REFERENCES risk_criteria (id),
    criteria_number      INTEGER NOT NULL DEFAULT 0,
    inherent_likelihood  INTEGER NOT NULL DEFAULT 0,
    inherent_consequence INTEGER NOT NULL DEFAULT 0,
    inherent_dims        TEXT NOT NULL DEFAULT '',
    inherent_level       TEXT NOT NULL DEFAULT '',
    inherent_rank        INTEGER NOT NULL DEFAULT 0,
    residual_likelihood  INTEGER NOT NULL DEFAULT 0,
    residual_consequence INTEGER NOT NULL DEFAULT 0,
    residual_dims        TEXT NOT NULL DEFAULT '',
    residual_level       TEXT NOT NULL DEFAULT '',
    residual_rank        INTEGER NOT NULL DEFAULT 0,
    treatment            TEXT NOT NULL DEFAULT '',
    treatment_notes      TEXT NOT NULL DEFAULT '',
    priority             INTEGER NOT NULL DEFAULT 0,
    sort_priority        INTEGER NOT NULL DEFAULT 0,
    next_review          TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    plan_approved_at     TEXT NOT NULL DEFAULT '',
    accepted_until       TEXT NOT NULL DEFAULT '',
    accept_concession    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, ref)
);
CREATE INDEX risks_active ON risks (org_id, archived_at);
CREATE INDEX risks_ref ON risks (org_id, archived_at, ref, id);
CREATE INDEX risks_title ON risks (org_id, archived_at, lower(title), id);
CREATE INDEX risks_priority ON risks (org_id, archived_at, sort_priority, id);
CREATE INDEX risks_level ON risks (org_id, archived_at, inherent_rank, id);
CREATE INDEX risks_residual ON risks (org_id, archived_at, residual_rank, id);
CREATE INDEX risks_review ON risks (org_id, archived_at, next_review, id);
CREATE INDEX risks_status_sort ON risks (org_id, archived_at, status, id);
CREATE INDEX risks_updated ON risks (org_id, archived_at, updated_at, id);
CREATE INDEX risks_created ON risks (org_id, archived_at, created_at, id);
CREATE INDEX risks_owner ON risks (org_id, owner_id, archived_at);
CREATE INDEX risks_status ON risks (org_id, status, archived_at);
CREATE INDEX risks_kind ON risks (org_id, kind, archived_at);
CREATE INDEX risks_inherent_level ON risks (org_id, inherent_level, archived_at);
CREATE INDEX risks_residual_level ON risks (org_id, residual_level, archived_at);
CREATE INDEX risks_category ON risks (org_id, category, archived_at);
CREATE INDEX risks_criteria ON risks (org_id, criteria_id, archived_at);
CREATE INDEX risks_inherent_cell ON risks (org_id, criteria_id, inherent_likelihood, inherent_consequence);
CREATE INDEX risks_residual_cell ON risks (org_id, criteria_id, residual_likelihood, residual_consequence);

CREATE TABLE risk_decisions (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    risk_id              TEXT NOT NULL REFERENCES risks (id),
    kind                 TEXT NOT NULL,
    decided_by           TEXT NOT NULL REFERENCES users (id),
    decided_at           TEXT NOT NULL,
    criteria_id          TEXT NOT NULL REFERENCES risk_criteria (id),
    criteria_number      INTEGER NOT NULL,
    justification        TEXT NOT NULL DEFAULT '',
    concession           INTEGER NOT NULL DEFAULT 0,
    treatment            TEXT NOT NULL DEFAULT '',
    residual_likelihood  INTEGER NOT NULL DEFAULT 0,
    residual_consequence INTEGER NOT NULL DEFAULT 0,
    residual_dims        TEXT NOT NULL DEFAULT '',
    residual_level       TEXT NOT NULL DEFAULT '',
    residual_rank        INTEGER NOT NULL DEFAULT 0,
    expires_on           TEXT NOT NULL DEFAULT '',
    voided_at            TEXT,
    void_reason          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX risk_decisions_risk ON risk_decisions (org_id, risk_id, decided_at);

-- +goose Down
SELECT 1;
