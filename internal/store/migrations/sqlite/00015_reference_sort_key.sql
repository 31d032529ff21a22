-- +goose Up
-- References are PREFIX-001 … PREFIX-999, then PREFIX-1000 and on: as text,
-- E-1073 sorted before E-200. Lists sort references by a key that puts a
-- shorter reference first (store.refSortKey: zeros in front, the fewer the
-- longer the reference), and these indexes hold that key so that a list
-- sorted by reference still walks an index.
DROP INDEX assets_ref;
CREATE INDEX assets_ref ON assets (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);
DROP INDEX evidence_ref;
CREATE INDEX evidence_ref ON evidence (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);
DROP INDEX risks_ref;
CREATE INDEX risks_ref ON risks (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);
DROP INDEX threats_ref;
CREATE INDEX threats_ref ON threats (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);
DROP INDEX vulnerabilities_ref;
CREATE INDEX vulnerabilities_ref ON vulnerabilities (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);
DROP INDEX risk_assessments_ref;
CREATE INDEX risk_assessments_ref ON risk_assessments (org_id, archived_at, (substr('000000000000', length(ref)) || ref), id);

-- +goose Down
DROP INDEX assets_ref;
CREATE INDEX assets_ref ON assets (org_id, archived_at, ref, id);
DROP INDEX evidence_ref;
CREATE INDEX evidence_ref ON evidence (org_id, archived_at, ref, id);
DROP INDEX risks_ref;
CREATE INDEX risks_ref ON risks (org_id, archived_at, ref, id);
DROP INDEX threats_ref;
CREATE INDEX threats_ref ON threats (org_id, archived_at, ref, id);
DROP INDEX vulnerabilities_ref;
CREATE INDEX vulnerabilities_ref ON vulnerabilities (org_id, archived_at, ref, id);
DROP INDEX risk_assessments_ref;
CREATE INDEX risk_assessments_ref ON risk_assessments (org_id, archived_at, ref, id);
