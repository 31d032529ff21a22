package store

import (
	"context"
	"strings"
	"testing"
)

// searchPlan is what SQLite plans for counting a register's search matches
// and for listing the ids of a few of them.
func searchPlan[T any](t *testing.T, db *DB, tb *table[T]) (count, ids string) {
	t.Helper()
	joined, _ := tb.searchConds(db, "needle", func(any) string { return "$2" })
	where := ` WHERE org_id = $1 AND archived_at IS NULL AND ` + joined
	plan := func(q string) string {
		rows, err := db.r.Query(`EXPLAIN QUERY PLAN `+q, "org", "%needle%")
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
	return plan(`SELECT COUNT(*) FROM ` + tb.name + where), plan(`SELECT id FROM ` + tb.name + where)
}

// The SQLite search indexes hold exactly the expression the store searches:
// counting the matches and listing their ids read the index alone. A
// register whose searched columns change without a new index fails here.
func TestSearchIsAnsweredFromTheSearchIndex(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
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

// migratedSQLite opens a new SQLite store with the current schema, closed
// when the test ends.
func migratedSQLite(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
