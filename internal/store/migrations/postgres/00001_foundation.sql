-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    size_band   TEXT NOT NULL,
    sector      TEXT NOT NULL DEFAULT '',
    countries   TEXT NOT NULL DEFAULT '',
    sites       TEXT NOT NULL DEFAULT '',
    time_zone   TEXT NOT NULL,
    date_format TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    data         BYTEA NOT NULL,
    expiry       TEXT NOT NULL,
    user_id      TEXT,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expiry ON sessions (expiry);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE ref_counters (
    org_id     TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    next_value BIGINT NOT NULL,
    PRIMARY KEY (org_id, prefix)
);

CREATE TABLE audit_heads (
    org_id TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    at            TEXT NOT NULL,
    actor_id      TEXT NOT NULL DEFAULT '',
    record_type   TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    action        TEXT NOT NULL,
    before_values TEXT NOT NULL DEFAULT '',
    after_values  TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX audit_log_record ON audit_log (org_id, record_type, record_id, seq);
CREATE INDEX audit_log_actor ON audit_log (org_id, actor_id, seq);
CREATE INDEX audit_log_at ON audit_log (org_id, at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    ref         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    archived_at TEXT,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    job_title   TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    manager_id  TEXT REFERENCES people (id),
    start_date  TEXT NOT NULL DEFAULT '',
    leave_date  TEXT NOT NULL DEFAULT '',
    user_id     TEXT REFERENCES users (id),
    UNIQUE (org_id, ref)
);
-- List indexes: organisation, archive state, then each sort key, so that a
-- sorted page of active records is read straight from the index.
CREATE INDEX people_name ON people (org_id, archived_at, lower(name), id);
CREATE INDEX people_department ON people (org_id, archived_at, lower(department), id);
CREATE INDEX people_job_title ON people (org_id, archived_at, lower(job_title), id);
CREATE INDEX people_email_sort ON people (org_id, archived_at, email, id);
CREATE INDEX people_start ON people (org_id, archived_at, start_date, id);
CREATE INDEX people_leave ON people (org_id, archived_at, leave_date, id);
CREATE INDEX people_updated ON people (org_id, archived_at, updated_at, id);
CREATE INDEX people_created ON people (org_id, archived_at, created_at, id);
CREATE INDEX people_active ON people (org_id, archived_at);
CREATE INDEX people_manager ON people (org_id, manager_id, archived_at);
CREATE INDEX people_department_filter ON people (org_id, department, archived_at);
CREATE INDEX people_user ON people (org_id, user_id, archived_at);
CREATE UNIQUE INDEX people_email ON people (org_id, email) WHERE email <> '' AND archived_at IS NULL;

-- +goose Down
SELECT 1;
