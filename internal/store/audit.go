package store

import (
	"context"
	"fmt"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// auditRecord appends one entry to the organisation's audit chain inside
// the caller's transaction. before and after are field values; either may be
// nil. The chain head row is updated first, which serialises appends to one
// organisation's chain on PostgreSQL (SQLite serialises all writes anyway).
func (t *tx) audit(orgID, actorID, recordType, recordID, action string, before, after map[string]any) error {
	// Take the next number of the organisation's chain and the hash of
	// its latest entry in one statement (one round trip on PostgreSQL):
	// the first entry starts the chain at 1 after an empty hash.
	var seq int64
	var prev string
	if err := t.QueryRow(`INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 1, '')
		ON CONFLICT (org_id) DO UPDATE SET seq = audit_heads.seq + 1 RETURNING seq, hash`, orgID).Scan(&seq, &prev); err != nil {
		return err
	}
	e := isms.AuditEntry{
		Seq: seq, ID: newID(), OrgID: orgID, At: t.now, ActorID: actorID,
		RecordType: recordType, RecordID: recordID, Action: action,
		Before: isms.EncodeFields(before), After: isms.EncodeFields(after), PrevHash: prev,
	}
	e.Hash = e.ComputeHash()
	if err := t.insertAudit(e); err != nil {
		return err
	}
	_, err := t.Exec(`UPDATE audit_heads SET hash = $1 WHERE org_id = $2`, e.Hash, orgID)
	return err
}

func (t *tx) insertAudit(e isms.AuditEntry) error {
	_, err := t.Exec(`INSERT INTO audit_log (id, org_id, seq, at, actor_id, record_type, record_id, action, before_values, after_values, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, e.OrgID, e.Seq, isms.FormatTime(e.At), e.ActorID, e.RecordType, e.RecordID, e.Action, e.Before, e.After, e.PrevHash, e.Hash)
	return err
}

const auditColumns = `a.id, a.org_id, a.seq, a.at, a.actor_id, a.record_type, a.record_id, a.action, a.before_values, a.after_values, a.prev_hash, a.hash, COALESCE(u.name, '')`

func scanAudit(rows scanner) (isms.AuditEntry, error) {
	var e isms.AuditEntry
	var at string
	if err := rows.Scan(&e.ID, &e.OrgID, &e.Seq, &at, &e.ActorID, &e.RecordType, &e.RecordID, &e.Action, &e.Before, &e.After, &e.PrevHash, &e.Hash, &e.ActorName); err != nil {
		return e, err
	}
	var err error
	e.At, err = isms.ParseTime(at)
	return e, err
}

// AuditLog lists the actor's organisation's audit entries, newest first.
// Owners and auditors may read it.
func (db *DB) AuditLog(ctx context.Context, a isms.Actor, f isms.AuditFilter) (isms.AuditPage, error) {
	var page isms.AuditPage
	if err := a.Require(isms.PermReadAudit); err != nil {
		return page, err
	}
	if f.Limit <= 0 || f.Limit > isms.MaxLimit {
		f.Limit = isms.DefaultLimit
	}
	where, args, err := auditWhere(a.OrgID, f)
	if err != nil {
		return page, err
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE ` + where + fmt.Sprintf(` ORDER BY a.seq DESC LIMIT %d`, f.Limit+1)
	err = db.read(ctx, func(t *tx) error {
		rows, err := t.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, e)
		}
		return rows.Err()
	})
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextSeq = page.Items[len(page.Items)-1].Seq
	}
	return page, err
}

// history returns a record's changes, oldest first, with field diffs; a
// cond, if given, is a further condition on the statement ($1 the
// organisation, $3 the record's id).
func (t *tx) history(orgID, recordType, recordID string, specs []isms.FieldSpec, cond string) ([]isms.HistoryEntry, error) {
	var out []isms.HistoryEntry
	err := t.readTogether(historyReading(orgID, recordType, recordID, specs, cond, &out))
	return out, err
}

// historyReading is history as a reading, appending to out.
func historyReading(orgID, recordType, recordID string, specs []isms.FieldSpec, cond string, out *[]isms.HistoryEntry) reading {
	if cond != "" {
		cond = " AND " + cond
	}
	return reading{`SELECT ` + auditColumns + ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.org_id = $1 AND a.record_type = $2 AND a.record_id = $3` + cond + ` ORDER BY a.seq`,
		[]any{orgID, recordType, recordID},
		func(s scanner) error {
			e, err := scanAudit(s)
			if err != nil {
				return err
			}
			*out = append(*out, isms.HistoryEntry{AuditEntry: e, Changes: isms.Diff(specs, isms.DecodeFields(e.Before), isms.DecodeFields(e.After))})
			return nil
		}}
}
