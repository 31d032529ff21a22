-- +goose Up
-- A risk's treatment actions are counted for every risk a list or the
-- treatment plan shows (those not cancelled, and those done), leaving out
-- archived ones. The index found a risk's actions and then read each
-- action's row for its archiving and status; with both in the index the
-- counts are answered from it alone.
DROP INDEX actions_serves;
CREATE INDEX actions_serves ON actions (org_id, serves_type, serves_id, archived_at, status);

-- +goose Down
DROP INDEX actions_serves;
CREATE INDEX actions_serves ON actions (org_id, serves_type, serves_id);
