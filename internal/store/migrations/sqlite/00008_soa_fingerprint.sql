-- +goose Up
-- A fingerprint of what distinguishes one SoA version from another
-- (decision, justification and status per control), so that telling
-- whether the draft differs from the latest version needs no decoding of
-- the whole version.
ALTER TABLE soa_versions ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';

-- +goose Down
SELECT 1;
