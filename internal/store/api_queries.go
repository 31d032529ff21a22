package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Queries the JSON API needs beyond those the web UI uses.

// AuditLogCount counts the actor's organisation's audit entries that match
// f, ignoring its paging (BeforeSeq and Limit). Owners and auditors may
// read it; a malformed date is invalid.
func (db *DB) AuditLogCount(ctx context.Context, a isms.Actor, f isms.AuditFilter) (int, error) {
	if err := a.Require(isms.PermReadAudit); err != nil {
		return 0, err
	}
	f.BeforeSeq = 0
	where, args, err := auditWhere(a.OrgID, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.read(ctx, func(t *tx) error {
		var err error
		n, err = t.count(a.OrgID, `SELECT COUNT(*) FROM audit_log a WHERE `+where, args)
		return err
	})
	return n, err
}

// auditWhere builds the condition selecting one organisation's audit
// entries that match f; AuditLog and AuditLogCount share it.
func auditWhere(orgID string, f isms.AuditFilter) (string, []any, error) {
	where := []string{"a.org_id = $1"}
	args := []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.RecordType != "" {
		add("a.record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("a.record_id = ?", f.RecordID)
	}
	if f.ActorID != "" {
		add("a.actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("a.action = ?", f.Action)
	}
	if f.From != "" {
		if !isms.ValidDate(f.From) {
			return "", nil, isms.Invalid("from", "validation.date")
		}
		add("a.at >= ?", f.From)
	}
	if f.To != "" {
		if !isms.ValidDate(f.To) {
			return "", nil, isms.Invalid("to", "validation.date")
		}
		d, _ := time.Parse(isms.DateLayout, f.To)
		add("a.at < ?", d.AddDate(0, 0, 1).Format(isms.DateLayout))
	}
	if f.BeforeSeq > 0 {
		add("a.seq < ?", f.BeforeSeq)
	}
	return strings.Join(where, " AND "), args, nil
}

// ActivePeople returns every active person of the actor's organisation,
// ordered by name, in one read: what an export needs, without the paging
// and counting of People.
func (db *DB) ActivePeople(ctx context.Context, a isms.Actor) ([]isms.Person, error) {
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return nil, err
	}
	var out []isms.Person
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = allActive(t, people, a.OrgID)
		return err
	})
	return out, err
}

// allActive reads every active record of a register of the organisation in
// the register's default order.
func allActive[T any](t *tx, tb *table[T], orgID string) ([]T, error) {
	return tb.records(t, orgID, "archived_at IS NULL", tb.sorts[tb.defaultSort]+", id")
}
