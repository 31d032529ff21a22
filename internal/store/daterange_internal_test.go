package store

import (
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
