package store

import (
	"context"
	"testing"
)

// Statistics keep the row estimates but never the sampled key values:
// with samples SQLite recompiles a prepared statement on every run.
func TestAnalyzeKeepsRowEstimatesWithoutSamples(t *testing.T) {
	ctx := context.Background()
	for _, thorough := range []bool{true, false} {
		db := openInternalDB(t)
		if _, err := db.w.ExecContext(ctx, `CREATE TABLE bench_rows (org TEXT, k INTEGER)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `CREATE INDEX bench_rows_org ON bench_rows (org, k)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
			INSERT INTO bench_rows SELECT 'org-' || (i % 3), i FROM n`); err != nil {
			t.Fatal(err)
		}
		if err := db.Optimize(ctx, thorough); err != nil {
			t.Fatalf("optimize(thorough=%v): %v", thorough, err)
		}
		var stat1, stat4 int
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'bench_rows'`).Scan(&stat1); err != nil {
			t.Fatal(err)
		}
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat4`).Scan(&stat4); err != nil {
			t.Fatal(err)
		}
		if stat1 == 0 {
			t.Errorf("thorough=%v: no row estimates for the analysed table", thorough)
		}
		if stat4 != 0 {
			t.Errorf("thorough=%v: %d sampled keys kept, want none", thorough, stat4)
		}
	}
}
