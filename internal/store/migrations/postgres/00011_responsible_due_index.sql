-- +goose Up
-- "Your open actions" on the dashboard and My tasks reads one member's
-- open actions in due-date order. Once PostgreSQL switched the prepared
-- statement to a generic plan, it read them by walking the organisation's
-- due-date index and filtering on the member: all 10,000 actions for a
-- member with none open (5 ms of every dashboard). An index on the member
-- and then the due date serves both the filter and the order.
CREATE INDEX actions_responsible_due ON actions (org_id, responsible_id, due_date, id) WHERE archived_at IS NULL;

-- +goose Down
SELECT 1;
