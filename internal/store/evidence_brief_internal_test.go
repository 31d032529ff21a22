package store

import (
	"context"
	"strings"
	"testing"
)

// An evidence list with few matches (the expired pieces, say) looks each
// match up by id and sorts them all before it keeps a page. Every column
// the list page reads, its reference sort key and the organisation are in
// the evidence_brief index (migration 00018), so the matches are read from
// it alone, before and after the statistics are gathered. A brief column
// added to the evidence list without adding it to the index fails here.
func TestEvidenceFewMatchesReadOnlyTheBriefIndex(t *testing.T) {
	db := migratedSQLite(t)
	cols, _ := evidenceTable.briefList()
	key := evidenceTable.sorts[evidenceTable.defaultSort]
	cond, err := evidenceTable.conds["valid_before"]("2026-01-01", func(any) string { return "$2" })
	if err != nil {
		t.Fatal(err)
	}
	// The page query of a list of few matches (see table.list).
	q := `SELECT ` + cols + `, ` + key + ` FROM evidence WHERE org_id = $1 AND id IN (SELECT id FROM evidence
		WHERE org_id = $1 AND archived_at IS NULL AND ` + cond + `) ORDER BY ` + key + ` ASC, id ASC LIMIT 51`
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(context.Background(), true); err != nil {
				t.Fatal(err)
			}
		}
		plan := sqlitePlan(t, db, q, "org", "2026-01-01")
		if !strings.Contains(plan, "SEARCH evidence USING COVERING INDEX evidence_brief (id=? AND org_id=?)") {
			t.Errorf("analysed=%v: planned as %q", analysed, plan)
		}
	}
}
