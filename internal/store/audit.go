package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// auditRecord appends one entry to the organisation's audit chain inside
// the caller's transaction. before and after are field values; either may be
// nil. The chain head row is updated first, which serialises appends to one
// organisation's chain on PostgreSQL (SQLite serialises all writes anyway).
func (t *tx) audit(orgID, actorID, recordType, recordID, action string, before, after map[string]any) error {
	if _, err := t.Exec(`INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (org_id) DO NOTHING`, orgID); err != nil {
		return err
	}
	var seq int64
	var prev string
	if err := t.QueryRow(`UPDATE audit_heads SET seq = seq + 1 WHERE org_id = $1 RETURNING seq, hash`, orgID).Scan(&seq, &prev); err != nil {
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

func scanAudit(rows *sql.Rows) (isms.AuditEntry, error) {
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

// history returns a record's changes, oldest first, with field diffs.
func (t *tx) history(orgID, recordType, recordID string, specs []isms.FieldSpec) ([]isms.HistoryEntry, error) {
	rows, err := t.Query(`SELECT `+auditColumns+` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.org_id = $1 AND a.record_type = $2 AND a.record_id = $3 ORDER BY a.seq`, orgID, recordType, recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []isms.HistoryEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, isms.HistoryEntry{AuditEntry: e, Changes: isms.Diff(specs, isms.DecodeFields(e.Before), isms.DecodeFields(e.After))})
	}
	return out, rows.Err()
}

// VerifyAuditLog walks every organisation's chain and returns the first
// entry whose hash or link does not match, or nil when all chains are
// intact. It also reports how many entries it checked.
func (db *DB) VerifyAuditLog(ctx context.Context) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, nil)
}

// VerifyOrgAuditLog is VerifyAuditLog for one organisation's chain.
func (db *DB) VerifyOrgAuditLog(ctx context.Context, orgID string) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, &orgID)
}

func (db *DB) verifyAudit(ctx context.Context, orgID *string) (checked int64, brk *isms.ChainBreak, err error) {
	where, headWhere, args := "", "", []any{}
	if orgID != nil {
		where, headWhere, args = ` WHERE a.org_id = $1`, ` WHERE h.org_id = $1`, []any{*orgID}
	}
	err = db.read(ctx, func(t *tx) error {
		// The actor's name is not hashed; the join that shows it is spared.
		rows, err := t.Query(`SELECT `+strings.Replace(auditColumns, `COALESCE(u.name, '')`, `''`, 1)+` FROM audit_log a`+where+` ORDER BY a.org_id, a.seq`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		org, prev, want := "\x00", "", int64(0)
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			checked++
			if e.OrgID != org {
				org, prev, want = e.OrgID, "", 1
			}
			switch {
			case e.Seq != want:
				brk = &isms.ChainBreak{OrgID: e.OrgID, Seq: e.Seq, ID: e.ID, Reason: fmt.Sprintf("expected entry %d here: an entry is missing", want)}
			case e.PrevHash != prev:
				brk = &isms.ChainBreak{OrgID: e.OrgID, Seq: e.Seq, ID: e.ID, Reason: "its link to the previous entry does not match"}
			case e.ComputeHash() != e.Hash:
				brk = &isms.ChainBreak{OrgID: e.OrgID, Seq: e.Seq, ID: e.ID, Reason: "its content does not match its hash (the entry was altered)"}
			}
			if brk != nil {
				return nil
			}
			prev, want = e.Hash, want+1
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// A removed tail shows as a head that is ahead of the last entry.
		hr, err := t.Query(`SELECT h.org_id, h.seq, h.hash, COALESCE((SELECT MAX(seq) FROM audit_log l WHERE l.org_id = h.org_id), 0) FROM audit_heads h`+headWhere+` ORDER BY h.org_id`, args...)
		if err != nil {
			return err
		}
		defer hr.Close()
		for hr.Next() {
			var o, h string
			var seq, max int64
			if err := hr.Scan(&o, &seq, &h, &max); err != nil {
				return err
			}
			if seq != max {
				brk = &isms.ChainBreak{OrgID: o, Seq: max + 1, Reason: fmt.Sprintf("the chain should have %d entries but has %d: entries at the end were removed", seq, max)}
				return nil
			}
		}
		return hr.Err()
	})
	return checked, brk, err
}
