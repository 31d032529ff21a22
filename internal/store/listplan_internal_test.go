package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A "before a day" filter on a date that may be empty (no date) reads
// only the dated entries of its index: the empty ones sort first, and a
// "not empty" condition left SQLite scanning all of them (1,900 pieces of
// evidence without an end date to find 120 expired ones).
func TestDateFiltersSkipUndatedRecords(t *testing.T) {
	db := openInternalDB(t)
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
	db := openInternalDB(t)
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

// The statistics the server gathers at start-up are whole, not sampled:
// after an upgrade adds an index, SQLite judges a table's statistics out
// of date, and a sampled analysis of 20,000 actions once estimated that a
// risk's "serves" lookup matched 2,000 of them, so every risk list walked
// all the organisation's actions for each risk on the page.
func TestStartupStatisticsAreNotSampled(t *testing.T) {
	ctx := context.Background()
	db := openInternalDB(t)
	err := db.write(ctx, func(t *tx) error {
		if _, err := t.Exec(`INSERT INTO organisations (id, slug, name, size_band, time_zone, date_format, version, created_at, updated_at)
			VALUES ('org', 'org', 'Org', 'small', 'UTC', '2006-01-02', 1, '', '')`); err != nil {
			return err
		}
		// A quarter serve nothing (and come first in the index), the rest
		// serve a record each four at a time.
		for i := range 12000 {
			typ, id := "", ""
			if i >= 3000 {
				typ, id = "asset", fmt.Sprintf("s%04d", i/4)
			}
			if _, err := t.Exec(`INSERT INTO actions (id, org_id, ref, version, created_at, updated_at, created_by, updated_by, title, status, serves_type, serves_id)
				VALUES ($1, 'org', $2, 1, '', '', '', '', 'x', 'open', $3, $4)`,
				fmt.Sprintf("a%05d", i), fmt.Sprintf("A-%05d", i), typ, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Statistics as the last hourly analysis left them, then an upgrade's
	// new index, then the server starting.
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `CREATE INDEX actions_upgrade ON actions (org_id, status, title)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Optimize(ctx, false); err != nil {
		t.Fatal(err)
	}
	var stat string
	if err := db.w.QueryRowContext(ctx, `SELECT stat FROM sqlite_stat1 WHERE idx = 'actions_serves'`).Scan(&stat); err != nil {
		t.Fatal(err)
	}
	// Rows, then rows per org_id, per (org_id, serves_type) and per
	// (org_id, serves_type, serves_id): about five on average.
	f := strings.Fields(stat)
	if len(f) < 4 || f[0] != "12000" {
		t.Fatalf("actions_serves statistics %q", stat)
	}
	if n, _ := strconv.Atoi(f[3]); n < 1 || n > 10 {
		t.Errorf("actions_serves statistics %q: %s actions per served record, want about 5", stat, f[3])
	}
}

// A risk's treatment actions are counted (all, done, whether any) from the
// served-record index alone, without reading each action's row for its
// archiving and status: the API's risk list does it for every risk of a
// page, the treatment plan for every risk it considers.
func TestRiskActionCountsReadTheIndexAlone(t *testing.T) {
	db := openInternalDB(t)
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(context.Background(), true); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{
			`SELECT (SELECT COUNT(*) ` + actionsOfRisk + ` AND x.` + actionCounts + `) FROM risks WHERE org_id = $1`,
			`SELECT (SELECT COUNT(*) ` + actionsOfRisk + ` AND x.` + actionDone + `) FROM risks WHERE org_id = $1`,
			`SELECT id FROM risks WHERE org_id = $1 AND ` + inPlan,
		} {
			plan := sqlitePlan(t, db, q, "org")
			if !strings.Contains(plan, "COVERING INDEX actions_serves") {
				t.Errorf("analysed=%v: %s\nplanned as %q", analysed, q, plan)
			}
		}
	}
}

// A page whose ids are known (a search's, kept in order) looks each id up
// in the table's primary key, without building a temporary index of them
// first, whatever the table.
func TestPageOfKnownIDsLooksEachUp(t *testing.T) {
	db := openInternalDB(t)
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(context.Background(), true); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range append(refTables, "actions", "people", "controls") {
			from, where := sqliteByIDs(table, "$1", "$2")
			plan := sqlitePlan(t, db, `SELECT id FROM `+from+` WHERE `+strings.Join(where, " AND ")+` ORDER BY updated_at, id LIMIT 51`, "org", `["a","b"]`)
			if strings.Contains(plan, "LIST SUBQUERY") || !strings.Contains(plan, "SCAN json_each") ||
				!regexp.MustCompile(`SEARCH `+table+` USING (COVERING )?INDEX \w+ \(id=\?`).MatchString(plan) {
				t.Errorf("analysed=%v, %s: planned as %q", analysed, table, plan)
			}
		}
	}
}
