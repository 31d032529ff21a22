package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// approve5x5 gives the organisation approved 5 × 5 risk criteria.
func approve5x5(t *testing.T, db *store.DB, owner isms.Actor) {
	t.Helper()
	ctx := context.Background()
	d, err := db.StartCriteria(ctx, owner, isms.Preset5x5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApproveCriteria(ctx, owner, d.ID, d.Version); err != nil {
		t.Fatal(err)
	}
}

func TestAssessmentPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		approve5x5(t, db, owner)
		ransom, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: "Ransomware", Inherent: isms.Rating{Likelihood: 5, Consequence: 5}})
		if err != nil {
			t.Fatal(err)
		}
		web := e.as(f.Users[isms.RoleISMSManager])
		// No closed run yet: the page says so and offers the first run.
		web.get("/o/acme/assessments").expect(t, 200, "No broad risk assessment has been closed yet", "Record your first risk assessment")
		web.get("/o/acme/").expect(t, 200).lacks(t, "Next broad risk assessment")
		// A run without participants or scope comes back with both named.
		web.post("/o/acme/assessments/new", url.Values{"assessed_on": {"2024-01-10"}, "trigger_kind": {"scheduled"}}).
			expect(t, 422, "There is a problem", "Name at least one participant")
		r := web.post("/o/acme/assessments/new", url.Values{"assessed_on": {"2024-01-10"}, "scope": {"Whole firm"}, "trigger_kind": {"scheduled"},
			"participant_ids": {f.Users[isms.RoleOwner].ID, f.Users[isms.RoleISMSManager].ID}, "other_participants": {"Jo Consultant"}})
		r.redirectsTo(t, "/o/acme/assessments/")
		runURL := r.location
		page := web.follow(r).expect(t, 200, "RA-001", "Whole firm", "Jo Consultant", "Owner of acme", "The snapshot is taken when the run is closed")
		ver := regexpFind(t, `action="[^"]+/close"[^>]*>\s*<input type="hidden" name="version" value="(\d+)"`, page.body)
		web.post(runURL+"/close", url.Values{"version": {ver}}).redirectsTo(t, runURL)
		// The history shows when it was closed in the organisation's format.
		web.get(runURL).expect(t, 200, "Closed", "Ransomware", "Critical").lacks(t, "/edit\"", "Z</ins>")
		// A closed run cannot be edited.
		web.get(runURL+"/edit").expect(t, 409, "is closed")
		// Later risk edits do not change the closed snapshot.
		ransom.Inherent = isms.Rating{Likelihood: 1, Consequence: 1}
		if _, err := db.UpdateRisk(ctx, mgr, ransom, ransom.Version); err != nil {
			t.Fatal(err)
		}
		web.get(runURL).expect(t, 200, "Critical")
		// The broad assessment of January 2024 is long overdue; the trend
		// picture shows the run with its level as text.
		web.get("/o/acme/assessments").expect(t, 200, "overdue", "Risk levels across assessments", "<svg class=\"trend-chart\"", "Critical 1")
		// The dashboard says when the next one is due, with the state in
		// words, and links to the runs; so do the risk register and heat map.
		web.get("/o/acme/").expect(t, 200, "Overdue:</strong> Next broad risk assessment due on", `href="/o/acme/assessments"`)
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/").expect(t, 200).lacks(t, "Next broad risk assessment")
		web.get("/o/acme/risks").expect(t, 200, `href="/o/acme/assessments"`)
		web.get("/o/acme/risks/heatmap").expect(t, 200, `href="/o/acme/assessments"`)
		// Compared with now, the risk went down.
		web.get("/o/acme/assessments/compare").expect(t, 200, "0 added, 0 removed, 0 up, 1 down, 0 unchanged", "Ransomware")
		// Auditors read; contributors read; staff do not; auditors cannot close.
		e.as(f.Users[isms.RoleAuditor]).get(runURL).expect(t, 200, "RA-001")
		e.as(f.Users[isms.RoleContributor]).get("/o/acme/assessments").expect(t, 200, "RA-001")
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/assessments").expect(t, 403)
		e.as(f.Users[isms.RoleAuditor]).post(runURL+"/close", url.Values{"version": {ver}}).expect(t, 403)
	})
}

func TestAssessmentSnapshotPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		approve5x5(t, db, owner)
		// 101 risks, every tenth not rated.
		for i := 1; i <= 101; i++ {
			r := isms.Risk{Title: fmt.Sprintf("Risk number %d", i)}
			if i%10 != 0 {
				r.Inherent = isms.Rating{Likelihood: 5, Consequence: 5}
			}
			if _, err := db.CreateRisk(ctx, mgr, r); err != nil {
				t.Fatal(err)
			}
		}
		run, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: "2025-03-01", Scope: "Whole firm", OtherParticipants: "Jo"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CloseAssessment(ctx, mgr, run.ID, run.Version); err != nil {
			t.Fatal(err)
		}
		web := e.as(f.Users[isms.RoleAuditor])
		runURL := "/o/acme/assessments/" + run.ID
		rows := func(body string) int { return strings.Count(body, `<a class="ref" href="/o/acme/risks/`) }

		// The first page: fifty risks in reference order, the total, no
		// previous page, links to the next and the last.
		first := web.get(runURL).expect(t, 200, "Risks 1 to 50 of 101", ">R-001</a>", ">R-050</a>", "Risk number 50",
			`<span aria-disabled="true">← Previous</span>`,
			`<a href="`+runURL+`?page=2#snapshot-title" rel="next">Next →</a>`,
			`<a href="`+runURL+`#snapshot-title" aria-label="Page 1" aria-current="page">1</a>`,
			`<a href="`+runURL+`?page=3#snapshot-title" aria-label="Page 3">3</a>`,
			"Critical", "5 × 5", "Not rated").
			lacks(t, ">R-051</a>", "Risk number 51<")
		if n := rows(first.body); n != 50 {
			t.Fatalf("first page shows %d risks", n)
		}
		// The next page follows on, with a way back.
		second := web.get(runURL+"?page=2").expect(t, 200, "Risks 51 to 100 of 101", ">R-051</a>", ">R-100</a>",
			`<a href="`+runURL+`#snapshot-title" rel="prev">← Previous</a>`,
			`<a href="`+runURL+`?page=3#snapshot-title" rel="next">Next →</a>`,
			`aria-label="Page 2" aria-current="page"`).
			lacks(t, ">R-050</a>", ">R-101</a>")
		if n := rows(second.body); n != 50 {
			t.Fatalf("second page shows %d risks", n)
		}
		// The last page holds the one risk left and no next page.
		last := web.get(runURL+"?page=3").expect(t, 200, "Risks 101 to 101 of 101", ">R-101</a>", "Risk number 101",
			`<span aria-disabled="true">Next →</span>`, `aria-label="Page 3" aria-current="page"`).
			lacks(t, ">R-100</a>")
		if n := rows(last.body); n != 1 {
			t.Fatalf("last page shows %d risks", n)
		}
		// A page past the end shows the last; a page that is not a number
		// the first.
		web.get(runURL+"?page=40").expect(t, 200, "Risks 101 to 101 of 101", ">R-101</a>")
		web.get(runURL+"?page=x").expect(t, 200, "Risks 1 to 50 of 101", ">R-001</a>")
		// The list of runs still counts every frozen risk, and the trend
		// every level: 91 critical, 10 not rated.
		web.get("/o/acme/assessments").expect(t, 200, `<td class="num">101</td>`, "Critical: 91", `<td class="num">10</td>`)
	})
}
