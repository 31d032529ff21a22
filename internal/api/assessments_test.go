package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

const assessmentsPath = "/api/v1/orgs/acme/assessments"

func TestAssessmentsAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			ctx := context.Background()
			owner, manager, contrib := e.tokens[isms.RoleOwner], e.tokens[isms.RoleISMSManager], e.tokens[isms.RoleContributor]
			auditor, staff := e.tokens[isms.RoleAuditor], e.tokens[isms.RoleStaff]
			managerID := e.f.Users[isms.RoleISMSManager].ID

			// Roles are checked before the body: refused callers learn
			// nothing from validation.
			if r := e.do(t, "GET", assessmentsPath, staff, nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}
			for _, tok := range []string{contrib, auditor, staff} {
				if r := e.do(t, "POST", assessmentsPath, tok, map[string]any{"scope": ""}); r.status != 403 {
					t.Fatalf("create by non-editor %d %s", r.status, r.body)
				}
			}
			// Without approved criteria there is nothing to assess under.
			r := e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-01-10", "scope": "Whole firm", "participant_ids": []string{managerID}})
			if r.status != 409 || !strings.Contains(r.problem(t).Detail, "criteria") {
				t.Fatalf("create without criteria %d %s", r.status, r.body)
			}
			crit := e.approvedCriteria(t)
			// Two rated risks, one of which will move up.
			theft, err := e.db.CreateRisk(ctx, e.f.Owner(), isms.Risk{Title: "Laptop theft", Inherent: isms.Rating{Likelihood: 2, Consequence: 2}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.CreateRisk(ctx, e.f.Owner(), isms.Risk{Title: "Supplier outage", Inherent: isms.Rating{Likelihood: 3, Consequence: 3}}); err != nil {
				t.Fatal(err)
			}

			// Bad input names every field.
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-02-30", "scope": "X", "other_participants": []string{"A"}})
			fieldError(t, r, "body.assessed_on", "YYYY-MM-DD")
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-01-10", "scope": " "})
			if r.status != 422 {
				t.Fatalf("invalid create %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.scope", "Enter")
			fieldError(t, r, "body.participant_ids", "participant")
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-01-10", "scope": "X", "trigger": "whim", "other_participants": []string{"A"}})
			fieldError(t, r, "body.trigger", "")
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-01-10", "scope": "X", "participant_ids": []string{"nobody"}})
			fieldError(t, r, "body.participant_ids", "")
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-01-10", "scope": "X", "other_participants": []string{"A"}, "criteria_id": "nope"})
			fieldError(t, r, "body.criteria_id", "approved")

			// A scheduled run, under the criteria in force by default.
			r = e.do(t, "POST", assessmentsPath, manager, map[string]any{"assessed_on": "2025-01-10", "scope": "Whole firm",
				"participant_ids": []string{managerID}, "other_participants": []string{"  Outside Consultant ", ""}, "notes": "Workshop"})
			first := r.object(t)
			id1, _ := first["id"].(string)
			if r.status != 201 || r.header.Get("Location") != assessmentsPath+"/"+id1 || first["status"] != "open" || first["trigger"] != "scheduled" ||
				first["criteria_id"] != crit.ID || first["criteria_number"] != 1.0 || first["ref"] == "" || first["closed_at"] != nil {
				t.Fatalf("create %d %s", r.status, r.body)
			}
			if o := first["other_participants"].([]any); len(o) != 1 || o[0] != "Outside Consultant" {
				t.Fatalf("other participants %v", o)
			}
			run1 := assessmentsPath + "/" + id1
			// PATCH changes only what is sent; a stale version is refused.
			r = e.do(t, "PATCH", run1, owner, map[string]any{"version": 1, "scope": "Whole firm and suppliers"})
			if r.status != 200 || r.object(t)["scope"] != "Whole firm and suppliers" || r.object(t)["notes"] != "Workshop" || r.object(t)["version"] != 2.0 {
				t.Fatalf("patch %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", run1, manager, map[string]any{"version": 1, "scope": "Stale"})
			if r.status != 409 || !strings.Contains(r.problem(t).Detail, "changed by") {
				t.Fatalf("stale patch %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", run1, owner, map[string]any{"version": 2, "participant_ids": []string{}, "other_participants": nil})
			fieldError(t, r, "body.participant_ids", "participant")
			if r = e.do(t, "PATCH", run1, contrib, map[string]any{"version": 2, "scope": ""}); r.status != 403 {
				t.Fatalf("contributor patch %d", r.status)
			}

			// An open run has no snapshot yet and cannot be compared.
			if r = e.do(t, "GET", run1+"/snapshot", auditor, nil); r.status != 200 || len(r.items(t)) != 0 {
				t.Fatalf("open snapshot %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", assessmentsPath+"/compare?from="+id1, auditor, nil)
			fieldError(t, r, "query.from", "Close the run first")
			r = e.do(t, "GET", assessmentsPath+"/compare", auditor, nil)
			fieldError(t, r, "query.from", "")
			if r = e.do(t, "GET", assessmentsPath+"/due", auditor, nil); r.status != 200 || r.object(t)["state"] != "never" || r.object(t)["due_on"] != nil {
				t.Fatalf("due before any run %d %s", r.status, r.body)
			}

			// Closing freezes every active risk.
			if r = e.do(t, "POST", run1+"/close", manager, map[string]any{"version": 1}); r.status != 409 {
				t.Fatalf("stale close %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", run1+"/close", manager, map[string]any{"version": 2})
			if c := r.object(t); r.status != 200 || c["status"] != "closed" || c["risks_frozen"] != 2.0 || c["closed_by"] != managerID || c["closed_at"] == nil {
				t.Fatalf("close %d %s", r.status, r.body)
			}
			r = e.do(t, "PATCH", run1, owner, map[string]any{"version": 3, "scope": "Too late"})
			if r.status != 409 || !strings.Contains(r.problem(t).Detail, "closed") {
				t.Fatalf("patch closed run %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", run1+"/snapshot", auditor, nil)
			lines := r.items(t)
			if len(lines) != 2 || lines[0]["title"] != "Laptop theft" || lines[0]["criteria_id"] != crit.ID ||
				jsonAt(lines[0], "inherent.likelihood") != 2.0 || jsonAt(lines[0], "current.level.key") == nil || jsonAt(lines[0], "residual.level") != nil {
				t.Fatalf("snapshot %s", r.body)
			}
			before := jsonAt(lines[0], "current.level.rank").(float64)

			// The register changes after the run: compared with now, the
			// re-rated risk is up; the snapshot itself does not move.
			theft, err = e.db.Risk(ctx, e.f.Owner(), theft.ID)
			if err != nil {
				t.Fatal(err)
			}
			theft.Inherent = isms.Rating{Likelihood: 5, Consequence: 5}
			if _, err := e.db.UpdateRisk(ctx, e.f.Owner(), theft, theft.Version); err != nil {
				t.Fatal(err)
			}
			r = e.do(t, "GET", assessmentsPath+"/compare?from="+id1+"&to=now", auditor, nil)
			cmp := r.object(t)
			if r.status != 200 || cmp["to"] != nil || cmp["changed"] != 1.0 || len(cmp["up"].([]any)) != 1 || len(cmp["unchanged"].([]any)) != 1 {
				t.Fatalf("compare with now %d %s", r.status, r.body)
			}
			up := cmp["up"].([]any)[0].(map[string]any)
			if up["risk_id"] != theft.ID || jsonAt(up, "before.current.level.rank") != before || jsonAt(up, "after.current.level.rank").(float64) <= before {
				t.Fatalf("up %v", up)
			}
			if r = e.do(t, "GET", run1+"/snapshot", auditor, nil); jsonAt(r.items(t)[0], "current.level.rank") != before {
				t.Fatalf("snapshot moved: %s", r.body)
			}

			// A run after an incident, closed: it does not reset the due date.
			r = e.do(t, "POST", assessmentsPath, owner, map[string]any{"assessed_on": "2025-06-01", "scope": "After the phishing incident",
				"trigger": "incident", "other_participants": []string{"Security consultant"}})
			id2, _ := r.object(t)["id"].(string)
			if r.status != 201 {
				t.Fatalf("create second %d %s", r.status, r.body)
			}
			run2 := assessmentsPath + "/" + id2
			if r = e.do(t, "POST", run2+"/close", owner, map[string]any{"version": 1}); r.status != 200 {
				t.Fatalf("close second %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", assessmentsPath+"/compare?from="+id1+"&to="+id2, auditor, nil)
			cmp = r.object(t)
			if r.status != 200 || jsonAt(cmp, "to.id") != id2 || jsonAt(cmp, "from.id") != id1 || len(cmp["up"].([]any)) != 1 || len(cmp["down"].([]any)) != 0 {
				t.Fatalf("compare runs %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", assessmentsPath+"/due", contrib, nil)
			due := r.object(t)
			if r.status != 200 || due["state"] != "overdue" || due["due_on"] != "2026-01-10" || due["last_id"] != id1 || due["days"].(float64) >= 0 {
				t.Fatalf("due %d %s", r.status, r.body)
			}

			// Lists: newest first, filters, search.
			r = e.do(t, "GET", assessmentsPath, auditor, nil)
			if items := r.items(t); len(items) != 2 || items[0]["id"] != id2 {
				t.Fatalf("list %s", r.body)
			}
			if items := e.do(t, "GET", assessmentsPath+"?sort=date", auditor, nil).items(t); items[0]["id"] != id1 {
				t.Fatalf("sort by date: %v", items)
			}
			if items := e.do(t, "GET", assessmentsPath+"?trigger=incident", auditor, nil).items(t); len(items) != 1 || items[0]["id"] != id2 {
				t.Fatalf("trigger filter: %v", items)
			}
			if items := e.do(t, "GET", assessmentsPath+"?q=phishing", auditor, nil).items(t); len(items) != 1 || items[0]["id"] != id2 {
				t.Fatalf("search: %v", items)
			}
			if r = e.do(t, "GET", assessmentsPath+"?status=pending", auditor, nil); r.status != 422 {
				t.Fatalf("bad status filter %d", r.status)
			}
			r = e.do(t, "GET", run1+"/history", auditor, nil)
			if h := r.items(t); len(h) != 3 {
				t.Fatalf("history: %s", r.body)
			}

			// Archiving leaves the run out of the list and the due date.
			if r = e.do(t, "POST", run1+"/archive", contrib, map[string]any{"version": 3}); r.status != 403 {
				t.Fatalf("contributor archive %d", r.status)
			}
			if r = e.do(t, "POST", run1+"/archive", owner, map[string]any{"version": 2}); r.status != 409 {
				t.Fatalf("stale archive %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", run1+"/archive", owner, map[string]any{"version": 3}); r.status != 200 || r.object(t)["archived_at"] == nil {
				t.Fatalf("archive %d %s", r.status, r.body)
			}
			if items := e.do(t, "GET", assessmentsPath, auditor, nil).items(t); len(items) != 1 {
				t.Fatalf("archived run listed: %v", items)
			}
			if due := e.do(t, "GET", assessmentsPath+"/due", auditor, nil).object(t); due["state"] != "never" {
				t.Fatalf("due after archiving the scheduled run: %v", due)
			}
			if r = e.do(t, "POST", run1+"/restore", manager, map[string]any{"version": 4}); r.status != 200 || r.object(t)["archived_at"] != nil {
				t.Fatalf("restore %d %s", r.status, r.body)
			}

			// Tenant isolation.
			if r = e.do(t, "GET", run1, e.outsider, nil); r.status != 404 {
				t.Fatalf("outsider get %d", r.status)
			}
			if r = e.do(t, "GET", "/api/v1/orgs/other/assessments/"+id1, e.outsider, nil); r.status != 404 {
				t.Fatalf("run through another org %d", r.status)
			}
			r = e.do(t, "GET", "/api/v1/orgs/other/assessments/compare?from="+id1, e.outsider, nil)
			fieldError(t, r, "query.from", "")
		})
	}
}
