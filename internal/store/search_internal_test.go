package store

import (
	"context"
	"os"
	"strings"
	"testing"
)

// sqlitePlan is what SQLite plans for q, one step after another.
func sqlitePlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.r.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}

// postgresPlan is what PostgreSQL plans for q with the plan settings given
// (SET LOCAL statements, which rule out the plans a test does not want).
func postgresPlan(t *testing.T, db *DB, settings, q string, args ...any) string {
	t.Helper()
	var lines []string
	err := db.write(context.Background(), func(t *tx) error {
		if _, err := t.Exec(settings); err != nil {
			return err
		}
		var err error
		lines, err = t.strings(`EXPLAIN `+q, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// refSortPlan is the query a register's list sorted by reference runs.
func refSortPlan(table string) string {
	return `SELECT id FROM ` + table + ` WHERE org_id = $1 AND archived_at IS NULL ORDER BY ` + refSortKey + `, id LIMIT 51`
}

// refTables are the registers a list can sort by reference.
var refTables = []string{"assets", "evidence", "risks", "threats", "vulnerabilities", "risk_assessments"}

// searchPlan is what SQLite plans for counting a register's search matches
// and for listing the ids of a few of them.
func searchPlan[T any](t *testing.T, db *DB, tb *table[T]) (count, ids string) {
	t.Helper()
	joined, _ := tb.searchConds(db, "needle", func(any) string { return "$2" })
	where := ` WHERE org_id = $1 AND archived_at IS NULL AND ` + joined
	return sqlitePlan(t, db, `SELECT COUNT(*) FROM `+tb.name+where, "org", "%needle%"),
		sqlitePlan(t, db, `SELECT id FROM `+tb.name+where, "org", "%needle%")
}

// The SQLite search indexes hold exactly the expression the store searches:
// counting the matches and listing their ids read the index alone. A
// register whose searched columns change without a new index fails here.
func TestSearchIsAnsweredFromTheSearchIndex(t *testing.T) {
	ctx := context.Background()
	db := openInternalDB(t)
	for _, analysed := range []bool{false, true} {
		if analysed {
			if err := db.Optimize(ctx, true); err != nil {
				t.Fatal(err)
			}
		}
		check := func(name, count, ids string) {
			want := "USING COVERING INDEX " + name + "_search"
			if !strings.Contains(count, want) || !strings.Contains(ids, want) {
				t.Errorf("analysed=%v: %s search planned as %q and %q, want %s", analysed, name, count, ids, want)
			}
		}
		c, i := searchPlan(t, db, people)
		check("people", c, i)
		c, i = searchPlan(t, db, actions)
		check("actions", c, i)
		c, i = searchPlan(t, db, assets)
		check("assets", c, i)
		c, i = searchPlan(t, db, risks)
		check("risks", c, i)
		c, i = searchPlan(t, db, evidenceTable)
		check("evidence", c, i)
	}
}

// On PostgreSQL a search is the lowered, joined text LIKE the pattern,
// which the trigram indexes of migration 00014 answer. With table and
// B-tree scans ruled out, every register's search must be planned on its
// index;
// a register whose searched columns change without a new index fails here.
func TestPostgresSearchCanUseTheTrigramIndex(t *testing.T) {
	db := migratedPostgresForTest(t)
	plan := func(name, joined string) string {
		// Only an index of the search's expression can then answer.
		return postgresPlan(t, db, `SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off`,
			`SELECT COUNT(*) FROM `+name+` WHERE `+strings.ReplaceAll(joined, "$2", "$1"), likePattern("needle"))
	}
	check := func(name string, joined string) {
		if p := plan(name, joined); !strings.Contains(p, name+"_search_trgm") {
			t.Errorf("%s search planned as\n%s\nwant a scan of %s_search_trgm", name, p, name)
		}
	}
	arg := func(any) string { return "$2" }
	j, _ := people.searchConds(db, "needle", arg)
	check("people", j)
	j, _ = actions.searchConds(db, "needle", arg)
	check("actions", j)
	j, _ = assets.searchConds(db, "needle", arg)
	check("assets", j)
	j, _ = risks.searchConds(db, "needle", arg)
	check("risks", j)
	j, _ = evidenceTable.searchConds(db, "needle", arg)
	check("evidence", j)

	// The reference sort walks the reference index too (migration 00015).
	for _, name := range refTables {
		p := postgresPlan(t, db, `SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off`, refSortPlan(name), "org")
		if !strings.Contains(p, name+"_ref") || strings.Contains(p, "Sort Key") {
			t.Errorf("%s sorted by reference planned as\n%s\nwant a walk of %s_ref", name, p, name)
		}
	}
}

// Lists sorted by reference order them by number (PREFIX-999 before
// PREFIX-1000), on both databases, and on SQLite walk the reference index
// that holds the sort key instead of sorting the register (the PostgreSQL
// plans are checked with the trigram indexes above).
func TestReferenceSortIsNumericAndIndexed(t *testing.T) {
	dbs := map[string]*DB{"sqlite": openInternalDB(t)}
	if admin := os.Getenv("HOLDFAST_TEST_POSTGRES"); admin != "" {
		dbs["postgres"] = openPostgresForTest(t, admin)
	} else if os.Getenv("CI") != "" {
		t.Fatal("HOLDFAST_TEST_POSTGRES is not set")
	}
	for name, db := range dbs {
		var got []string
		err := db.read(context.Background(), func(t *tx) error {
			var err error
			got, err = t.strings(`SELECT ref FROM (SELECT 'E-999' AS ref UNION ALL SELECT 'E-1000' UNION ALL SELECT 'E-080'
				UNION ALL SELECT 'E-10000' UNION ALL SELECT 'E-200') refs ORDER BY ` + refSortKey)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := "E-080 E-200 E-999 E-1000 E-10000"; strings.Join(got, " ") != want {
			t.Errorf("%s: order %v, want %s", name, got, want)
		}
	}
	for _, name := range refTables {
		p := sqlitePlan(t, dbs["sqlite"], refSortPlan(name), "o")
		if !strings.Contains(p, name+"_ref") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s sorted by reference planned as %q, want a walk of %s_ref", name, p, name)
		}
	}
}
