-- +goose Up
-- "Your open actions" on the dashboard and My tasks reads one member's
-- open actions in due-date order. The (org_id, responsible_id, archived_at,
-- status, due_date) index finds them but not in that order, so every
-- dashboard sorted all of a member's open actions to show the first two.
CREATE INDEX actions_responsible_due ON actions (org_id, responsible_id, archived_at, due_date, id);

-- +goose Down
SELECT 1;
