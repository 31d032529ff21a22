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

// A brief list leaves out exactly the columns its table names, each of
// which is one of the table's columns, and scans what it selects.
func TestBriefListsLeaveOutOnlyTheirColumns(t *testing.T) {
	check := func(name string, columns, brief []string, list func() (string, []bool)) {
		cols, keep := list()
		if len(keep) != len(columns) {
			t.Fatalf("%s: %d marks for %d columns", name, len(keep), len(columns))
		}
		selected := map[string]bool{}
		for _, c := range strings.Split(cols, ", ") {
			selected[c] = true
		}
		for _, b := range brief {
			if !slices.Contains(columns, b) {
				t.Errorf("%s: brief column %q is not a column", name, b)
			}
		}
		for i, c := range columns {
			left := slices.Contains(brief, c)
			if selected[c] == left || keep[i] == left {
				t.Errorf("%s: column %s selected %v, scanned %v, left out by brief %v", name, c, selected[c], keep[i], left)
			}
		}
	}
	check("risks", risks.columns, risks.brief, risks.briefList)
	check("assets", assets.columns, assets.brief, assets.briefList)
	check("actions", actions.columns, actions.brief, actions.briefList)
	check("evidence", evidenceTable.columns, evidenceTable.brief, evidenceTable.briefList)
	check("controls", controls.columns, controls.brief, controls.briefList)
}
