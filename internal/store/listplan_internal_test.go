package store

import (
	"context"
	"strings"
	"testing"
)

// A "before a day" filter on a date that may be empty ("" for none) reads
// only the dated entries of its index: the empty ones sort first, and a
// condition of `<> ''` left SQLite scanning all of them (1,900 pieces of
// evidence without an end date to find 120 expired ones).
func TestDateFiltersSkipUndatedRecords(t *testing.T) {
	db := migratedSQLite(t)
	for _, c := range []struct {
		table, cond, column string
		conds               map[string]func(string, func(any) string) (string, error)
	}{
		{"evidence", "valid_before", "valid_until", evidenceTable.conds},
		{"actions", "due_before", "due_date", actions.conds},
		{"risks", "review_before", "next_review", risks.conds},
		{"controls", "review_before", "next_review", controls.conds},
	} {
		n := 1
		cond, err := c.conds[c.cond]("2026-01-01", func(any) string { n++; return "$" + string(rune('0'+n)) })
		if err != nil {
			t.Fatal(err)
		}
		plan := sqlitePlan(t, db, `SELECT COUNT(*) FROM `+c.table+` WHERE org_id = $1 AND archived_at IS NULL AND `+cond, "org", "2026-01-01")
		if want := c.column + ">? AND " + c.column + "<?"; !strings.Contains(plan, want) {
			t.Errorf("%s %s: planned as %q, want a range %s", c.table, c.cond, plan, want)
		}
	}
}

// The action list narrowed by status, in its default order (due date),
// is one range of an index, before and after the statistics are gathered.
func TestActionsByStatusWalkTheirIndex(t *testing.T) {
	db := migratedSQLite(t)
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(context.Background(), true); err != nil {
				t.Fatal(err)
			}
		}
		plan := sqlitePlan(t, db, `SELECT id FROM actions WHERE org_id = $1 AND archived_at IS NULL AND status = $2 ORDER BY `+
			actions.sorts[actions.defaultSort]+`, id LIMIT 51`, "org", "open")
		if !strings.Contains(plan, "actions_status_due") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("analysed=%v: planned as %q", analysed, plan)
		}
	}
}
