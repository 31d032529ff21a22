-- +goose Up
-- PostgreSQL gained trigram indexes of the registers' searched text in
-- this version; SQLite's search indexes came in 00012. This step keeps
-- both databases' schema versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
