package store

import (
	"context"
	"strings"
	"testing"
)

// An evidence list of matches kept in order (the expired pieces, say)
// looks each of its page's matches up by id. Every column
// the list page reads, its reference sort key and the organisation are in
// the evidence_brief index (migration 00018), so the matches are read from
// it alone, before and after the statistics are gathered. A brief column
// added to the evidence list without adding it to the index fails here.
func TestEvidencePageOfKeptMatchesReadsTheBriefIndex(t *testing.T) {
	db := openInternalDB(t)
	cols, _ := evidenceTable.listColumns(true)
	key := evidenceTable.sorts[evidenceTable.defaultSort]
	// The page query of a list of matches kept in order (see table.list).
	q := `SELECT ` + cols + `, ` + key + ` FROM evidence WHERE org_id = $1 AND id IN (SELECT value FROM json_each($2))
		ORDER BY ` + key + ` ASC, id ASC LIMIT 51`
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(context.Background(), true); err != nil {
				t.Fatal(err)
			}
		}
		plan := sqlitePlan(t, db, q, "org", `["a","b"]`)
		if !strings.Contains(plan, "SEARCH evidence USING COVERING INDEX evidence_brief (id=? AND org_id=?)") {
			t.Errorf("analysed=%v: planned as %q", analysed, plan)
		}
	}
}
