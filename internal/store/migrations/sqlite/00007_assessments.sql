-- +goose Up
CREATE TABLE risk_assessments (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations (id),
    ref                TEXT NOT NULL,
    version            INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    archived_at        TEXT,
    assessed_on        TEXT NOT NULL,
    scope              TEXT NOT NULL,
    trigger_kind       TEXT NOT NULL,
    participant_ids    TEXT NOT NULL DEFAULT '',
    other_participants TEXT NOT NULL DEFAULT '',
    criteria_id        TEXT NOT NULL REFERENCES risk_criteria (id),
    notes              TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    closed_at          TEXT,
    closed_by          TEXT REFERENCES users (id),
    UNIQUE (org_id, ref)
);
CREATE INDEX risk_assessments_active ON risk_assessments (org_id, archived_at);
CREATE INDEX risk_assessments_date ON risk_assessments (org_id, archived_at, assessed_on, id);
CREATE INDEX risk_assessments_ref ON risk_assessments (org_id, archived_at, ref, id);
CREATE INDEX risk_assessments_status ON risk_assessments (org_id, status, archived_at);
CREATE INDEX risk_assessments_trigger ON risk_assessments (org_id, trigger_kind, archived_at);

-- The frozen ratings of every active risk when a run was closed. Lines are
-- written once, in the transaction that closes the run, and never change.
CREATE TABLE risk_assessment_lines (
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    assessment_id        TEXT NOT NULL REFERENCES risk_assessments (id),
    risk_id              TEXT NOT NULL REFERENCES risks (id),
    risk_ref             TEXT NOT NULL,
    title                TEXT NOT NULL,
    category             TEXT NOT NULL DEFAULT '',
    owner_name           TEXT NOT NULL DEFAULT '',
    criteria_id          TEXT REFERENCES risk_criteria (id),
    criteria_number      INTEGER NOT NULL DEFAULT 0,
    level_count          INTEGER NOT NULL DEFAULT 0,
    inherent_likelihood  INTEGER NOT NULL DEFAULT 0,
    inherent_consequence INTEGER NOT NULL DEFAULT 0,
    inherent_level       TEXT NOT NULL DEFAULT '',
    inherent_label       TEXT NOT NULL DEFAULT '',
    inherent_colour      TEXT NOT NULL DEFAULT '',
    inherent_rank        INTEGER NOT NULL DEFAULT 0,
    residual_likelihood  INTEGER NOT NULL DEFAULT 0,
    residual_consequence INTEGER NOT NULL DEFAULT 0,
    residual_level       TEXT NOT NULL DEFAULT '',
    residual_label       TEXT NOT NULL DEFAULT '',
    residual_colour      TEXT NOT NULL DEFAULT '',
    residual_rank        INTEGER NOT NULL DEFAULT 0,
    current_likelihood   INTEGER NOT NULL DEFAULT 0,
    current_consequence  INTEGER NOT NULL DEFAULT 0,
    current_level        TEXT NOT NULL DEFAULT '',
    current_label        TEXT NOT NULL DEFAULT '',
    current_colour       TEXT NOT NULL DEFAULT '',
    current_rank         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, risk_id)
);
CREATE INDEX risk_assessment_lines_org ON risk_assessment_lines (org_id, assessment_id, risk_ref);
CREATE INDEX risk_assessment_lines_risk ON risk_assessment_lines (org_id, risk_id);
-- +goose StatementBegin
CREATE TRIGGER risk_assessment_lines_no_update BEFORE UPDATE ON risk_assessment_lines
BEGIN
    SELECT RAISE(ABORT, 'snapshots of closed risk assessments are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER risk_assessment_lines_no_delete BEFORE DELETE ON risk_assessment_lines
BEGIN
    SELECT RAISE(ABORT, 'snapshots of closed risk assessments are immutable');
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
