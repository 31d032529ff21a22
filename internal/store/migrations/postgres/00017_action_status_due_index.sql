-- +goose Up
-- The action list is most often narrowed by status and shown by due date.
-- Walking the due-date index and looking up each action's status read
-- seven actions for every open one shown when the first due dates were
-- mostly done; with the status in the index the page is one range of it.
CREATE INDEX actions_status_due ON actions (org_id, status, due_date, id) WHERE archived_at IS NULL;

-- +goose Down
DROP INDEX actions_status_due;
