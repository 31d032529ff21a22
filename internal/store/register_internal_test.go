package store

import (
	"slices"
	"strings"
	"testing"
)

// condSQL returns the SQL of each of a register's conditions, for values
// that every condition accepts.
func condSQL[T any](tb *table[T]) map[string]string {
	out := map[string]string{}
	for name, cond := range tb.conds {
		for _, v := range []string{"x", "2025-01-01", "none", "1-1", "own"} {
			n := 1
			sql, err := cond(v, func(any) string { n++; return "$" + string(rune('0'+n)) })
			if err == nil {
				out[name] = sql
				break
			}
		}
	}
	return out
}

// A condition's subquery names the organisation as the bound $1, not as
// the outer record's org_id: PostgreSQL runs a correlated IN subquery once
// for every record of the register (the asset page spent 4 ms on each of
// two such queries).
func TestListConditionsAreNotCorrelatedByOrganisation(t *testing.T) {
	check := func(name string, conds map[string]string) {
		for c, sql := range conds {
			if strings.Contains(sql, name+".org_id") {
				t.Errorf("%s condition %s refers to %s.org_id: %s", name, c, name, sql)
			}
		}
	}
	check(people.name, condSQL(people))
	check(actions.name, condSQL(actions))
	check(assets.name, condSQL(assets))
	check(risks.name, condSQL(risks))
	check(evidenceTable.name, condSQL(evidenceTable))
	check(controls.name, condSQL(controls))
	check(assessments.name, condSQL(assessments))
	check(threats.name, condSQL(threats))
	check(vulnerabilities.name, condSQL(vulnerabilities))
	if len(condSQL(assets)) == 0 || len(condSQL(evidenceTable)) == 0 {
		t.Fatal("no conditions to check")
	}
}

// A brief list leaves out exactly the columns its table names and the
// meta columns no list shows, each of which is one of the table's
// columns, never the id, reference or archive time a list needs, and
// scans what it selects.
func TestBriefListsLeaveOutOnlyTheirColumns(t *testing.T) {
	check := func(name string, names, exprs, brief []string, list func() (string, []bool)) {
		cols, keep := list()
		if len(keep) != len(names) {
			t.Fatalf("%s: %d marks for %d columns", name, len(keep), len(names))
		}
		for _, b := range brief {
			if !slices.Contains(names, b) {
				t.Errorf("%s: brief column %q is not a column", name, b)
			}
			if b == "id" || b == "ref" || b == "archived_at" {
				t.Errorf("%s: a brief list must read %s", name, b)
			}
		}
		var want []string
		for i, c := range names {
			left := slices.Contains(brief, c) || slices.Contains(listMeta, c)
			if keep[i] == left {
				t.Errorf("%s: column %s scanned %v, left out %v", name, c, keep[i], left)
			}
			if !left {
				want = append(want, exprs[i])
			}
		}
		if w := strings.Join(want, ", "); cols != w {
			t.Errorf("%s: brief list selects\n%s\nwant\n%s", name, cols, w)
		}
	}
	check("risks", names(risks), exprs(risks), risks.brief, risks.briefList)
	check("assets", names(assets), exprs(assets), assets.brief, assets.briefList)
	check("actions", names(actions), exprs(actions), actions.brief, actions.briefList)
	check("evidence", names(evidenceTable), exprs(evidenceTable), evidenceTable.brief, evidenceTable.briefList)
	check("controls", names(controls), exprs(controls), controls.brief, controls.briefList)
}

type columnLister interface{ allColumns() ([]string, []string) }

func names(tb columnLister) []string { n, _ := tb.allColumns(); return n }
func exprs(tb columnLister) []string { _, e := tb.allColumns(); return e }
