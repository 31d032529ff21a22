package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

func TestAssessmentPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		d, err := db.StartCriteria(ctx, owner, isms.Preset5x5)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveCriteria(ctx, owner, d.ID, d.Version); err != nil {
			t.Fatal(err)
		}
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
