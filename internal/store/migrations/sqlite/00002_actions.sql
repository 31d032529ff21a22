-- +goose Up
CREATE TABLE actions (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organisations (id),
    ref                 TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    archived_at         TEXT,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    resources           TEXT NOT NULL DEFAULT '',
    responsible_id      TEXT REFERENCES users (id),
    due_date            TEXT NOT NULL DEFAULT '',
    evaluation          TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    completion_evidence TEXT NOT NULL DEFAULT '',
    completed_at        TEXT NOT NULL DEFAULT '',
    serves_type         TEXT NOT NULL DEFAULT '',
    serves_id           TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, ref)
);
CREATE INDEX actions_active ON actions (org_id, archived_at);
CREATE INDEX actions_title ON actions (org_id, archived_at, lower(title), id);
CREATE INDEX actions_due ON actions (org_id, archived_at, due_date, id);
CREATE INDEX actions_status ON actions (org_id, archived_at, status, id);
CREATE INDEX actions_updated ON actions (org_id, archived_at, updated_at, id);
CREATE INDEX actions_created ON actions (org_id, archived_at, created_at, id);
CREATE INDEX actions_responsible ON actions (org_id, responsible_id, archived_at, status, due_date);
CREATE INDEX actions_serves ON actions (org_id, serves_type, serves_id);

CREATE TABLE action_notes (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    action_id  TEXT NOT NULL REFERENCES actions (id),
    author_id  TEXT NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX action_notes_action ON action_notes (org_id, action_id, created_at);

-- +goose Down
SELECT 1;
