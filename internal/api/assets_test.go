package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

const assetsPath = "/api/v1/orgs/acme/assets"

func TestAssetsAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner := e.tokens[isms.RoleOwner]
			r := e.do(t, "POST", assetsPath, owner, map[string]any{"name": "Customer database", "type": "information",
				"classification": "restricted", "confidentiality": 5, "owner_id": e.f.Users[isms.RoleContributor].ID})
			if r.status != 201 || !strings.HasPrefix(r.header.Get("Location"), assetsPath+"/") {
				t.Fatalf("create %d %s", r.status, r.body)
			}
			db := r.object(t)
			if db["ref"] != "AS-001" || db["state"] != "in_use" || db["owner_name"] == "" {
				t.Fatalf("created %v", db)
			}
			r = e.do(t, "POST", assetsPath, owner, map[string]any{"name": "CRM", "type": "application", "depends_on": []string{"AS-001"}})
			crm := r.object(t)
			if r.status != 201 || fmt.Sprint(crm["depends_on"]) != "[AS-001]" {
				t.Fatalf("create with dependency %d %s", r.status, r.body)
			}
			crmURL := assetsPath + "/" + crm["id"].(string)
			// Bad input names the fields.
			r = e.do(t, "POST", assetsPath, owner, map[string]any{"name": "", "type": "boat", "integrity": 9, "depends_on": []string{"AS-404"}})
			if r.status != 422 {
				t.Fatalf("invalid create %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.name", "Enter a value")
			fieldError(t, r, "body.type", "Choose one of")
			fieldError(t, r, "body.integrity", "from 1 to 5")
			// PATCH: only the fields sent change; depends_on replaces the list; stale → 409.
			r = e.do(t, "PATCH", crmURL, owner, map[string]any{"version": 1, "location": "Cloud", "depends_on": []string{}})
			if r.status != 200 || r.object(t)["location"] != "Cloud" || fmt.Sprint(r.object(t)["depends_on"]) != "[]" || r.object(t)["name"] != "CRM" {
				t.Fatalf("patch %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", crmURL, owner, map[string]any{"version": 1, "location": "Office"}); r.status != 409 {
				t.Fatalf("stale patch %d %s", r.status, r.body)
			}
			// Filters, roles.
			r = e.do(t, "GET", assetsPath+"?type=application&sort=-name", e.tokens[isms.RoleAuditor], nil)
			if r.status != 200 || len(r.items(t)) != 1 {
				t.Fatalf("list %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", assetsPath, e.tokens[isms.RoleStaff], nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}
			if r = e.do(t, "POST", assetsPath, e.tokens[isms.RoleContributor], map[string]any{"name": "x", "type": "site"}); r.status != 403 {
				t.Fatalf("contributor create %d", r.status)
			}
			if r = e.do(t, "GET", crmURL+"/history", owner, nil); r.status != 200 || len(r.items(t)) != 2 {
				t.Fatalf("history %d %s", r.status, r.body)
			}
			r = e.do(t, "GET", assetsPath+"/export.xlsx", owner, nil)
			if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(r.body) < 1000 {
				t.Fatalf("export %d %s", r.status, r.header)
			}
		})
	}
}

func TestAssetImportAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner := e.tokens[isms.RoleOwner]
			count := func() int {
				page, err := e.db.Assets(context.Background(), e.f.Owner(), isms.ListQuery{})
				if err != nil {
					t.Fatal(err)
				}
				return page.Total
			}
			bad := "name,type,owner,depends_on\nLaptops,hardware,nobody@acme.test,\nLaptops,hardware,,Ghost\nServer,fridge,,\n"
			r := e.do(t, "POST", assetsPath+"/import?dry_run=true", owner, bad, "Content-Type", "text/csv")
			if r.status != 200 {
				t.Fatalf("dry run %d %s", r.status, r.body)
			}
			var rep struct {
				Valid bool
				Rows  []struct {
					Line     int
					Problems []struct{ Location, Message string }
				}
			}
			if err := json.Unmarshal(r.body, &rep); err != nil || rep.Valid || len(rep.Rows) != 3 || rep.Rows[0].Line != 2 ||
				rep.Rows[0].Problems[0].Location != "owner" || !strings.Contains(rep.Rows[1].Problems[0].Message, "row 2") {
				t.Fatalf("report %s", r.body)
			}
			// Committing a file with problems writes nothing.
			r = e.do(t, "POST", assetsPath+"/import", owner, bad, "Content-Type", "text/csv")
			if r.status != 422 || count() != 0 {
				t.Fatalf("bad commit %d %s", r.status, r.body)
			}
			fieldError(t, r, "row.4.type", "Choose one of")
			fieldError(t, r, "row.3.depends_on", "Ghost")
			// Wrong columns: the file is refused as a whole.
			r = e.do(t, "POST", assetsPath+"/import?dry_run=true", owner, "Asset,Colour\nx,y\n", "Content-Type", "text/csv")
			if r.status != 422 || !strings.Contains(string(r.body), `Column \"Colour\"`) {
				t.Fatalf("wrong columns %d %s", r.status, r.body)
			}
			good := "name,type,depends_on\nLaptops,Hardware,Device management\nDevice management,application,\n"
			r = e.do(t, "POST", assetsPath+"/import", owner, good, "Content-Type", "text/csv")
			if r.status != 200 || !strings.Contains(string(r.body), `"applied":true`) || count() != 2 {
				t.Fatalf("import %d %s", r.status, r.body)
			}
			// Round trip: the export imports back unchanged.
			x := e.do(t, "GET", assetsPath+"/export.xlsx", owner, nil)
			r = e.do(t, "POST", assetsPath+"/import", owner, x.body, "Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			if r.status != 200 || !strings.Contains(string(r.body), `"unchanged":2`) {
				t.Fatalf("re-import %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", assetsPath+"/import", e.tokens[isms.RoleAuditor], good, "Content-Type", "text/csv"); r.status != 403 {
				t.Fatalf("auditor import %d", r.status)
			}
		})
	}
}

func TestThreatsAPI(t *testing.T) {
	e := newEnv(t, "sqlite")
	owner := e.tokens[isms.RoleOwner]
	r := e.do(t, "POST", "/api/v1/orgs/acme/starter-catalogue", owner, nil)
	if r.status != 200 || r.object(t)["threats"].(float64) < 38 {
		t.Fatalf("load %d %s", r.status, r.body)
	}
	if r = e.do(t, "POST", "/api/v1/orgs/acme/starter-catalogue", owner, nil); r.object(t)["threats"] != 0.0 {
		t.Fatalf("second load %s", r.body)
	}
	r = e.do(t, "GET", "/api/v1/orgs/acme/vulnerabilities?control=8.13&limit=5", e.tokens[isms.RoleContributor], nil)
	if r.status != 200 || len(r.items(t)) != 2 {
		t.Fatalf("by control %d %s", r.status, r.body)
	}
	r = e.do(t, "POST", "/api/v1/orgs/acme/threats", owner, map[string]any{"title": "Drone over the yard", "category": "deliberate", "controls": []string{"7.4", "12.1"}})
	if r.status != 422 {
		t.Fatalf("bad control %d %s", r.status, r.body)
	}
	fieldError(t, r, "body.controls", "no Annex A control 12.1")
	r = e.do(t, "POST", "/api/v1/orgs/acme/threats", owner, map[string]any{"title": "Drone over the yard", "category": "deliberate", "controls": []string{"7.4"}})
	if r.status != 201 {
		t.Fatalf("create %d %s", r.status, r.body)
	}
	id := r.object(t)["id"].(string)
	if r = e.do(t, "GET", "/api/v1/orgs/acme/vulnerabilities/"+id, owner, nil); r.status != 404 {
		t.Fatalf("threat read as vulnerability %d", r.status)
	}
	if r = e.do(t, "PATCH", "/api/v1/orgs/acme/threats/"+id, owner, map[string]any{"version": 1, "controls": []string{"7.4", "5.7"}}); r.status != 200 ||
		fmt.Sprint(r.object(t)["controls"]) != "[5.7 7.4]" {
		t.Fatalf("patch %d %s", r.status, r.body)
	}
	if r = e.do(t, "POST", "/api/v1/orgs/acme/starter-catalogue", e.tokens[isms.RoleContributor], nil); r.status != 403 {
		t.Fatalf("contributor load %d", r.status)
	}
}

func TestActionsAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			owner, staff, contrib := e.tokens[isms.RoleOwner], e.tokens[isms.RoleStaff], e.tokens[isms.RoleContributor]
			staffID := e.f.Users[isms.RoleStaff].ID
			r := e.do(t, "POST", "/api/v1/orgs/acme/actions", owner, map[string]any{"title": "Complete the security awareness course",
				"resources": "One hour", "responsible_id": staffID, "due_date": "2020-01-31", "evaluation": "Course certificate on file"})
			if r.status != 201 || r.object(t)["ref"] != "A-001" || r.object(t)["overdue"] != true {
				t.Fatalf("create %d %s", r.status, r.body)
			}
			id := r.object(t)["id"].(string)
			url := "/api/v1/orgs/acme/actions/" + id
			// Staff see their own actions, overdue flagged, but not the register.
			r = e.do(t, "GET", "/api/v1/orgs/acme/my-actions", staff, nil)
			if items := r.items(t); r.status != 200 || len(items) != 1 || items[0]["overdue"] != true {
				t.Fatalf("my actions %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", "/api/v1/orgs/acme/actions", staff, nil); r.status != 403 {
				t.Fatalf("staff list %d", r.status)
			}
			if r = e.do(t, "GET", "/api/v1/orgs/acme/my-actions", contrib, nil); r.status != 200 || len(r.items(t)) != 0 {
				t.Fatalf("contributor's actions %d %s", r.status, r.body)
			}
			// Someone else's action: refused before the body is looked at.
			if r = e.do(t, "PATCH", url, contrib, `{"nonsense": true}`); r.status != 403 {
				t.Fatalf("contributor patch %d %s", r.status, r.body)
			}
			if r = e.do(t, "POST", url+"/notes", contrib, `{}`); r.status != 403 {
				t.Fatalf("contributor note %d %s", r.status, r.body)
			}
			// The responsible member adds a note and completes it.
			if r = e.do(t, "POST", url+"/notes", staff, map[string]any{"body": "Booked for Tuesday"}); r.status != 201 || r.object(t)["author_name"] == "" {
				t.Fatalf("note %d %s", r.status, r.body)
			}
			r = e.do(t, "POST", url+"/complete", staff, map[string]any{"version": 1, "completion_evidence": ""})
			if r.status != 422 {
				t.Fatalf("complete without evidence %d %s", r.status, r.body)
			}
			fieldError(t, r, "body.completion_evidence", "before marking it done")
			r = e.do(t, "POST", url+"/complete", staff, map[string]any{"version": 1, "completion_evidence": "Certificate saved in HR file"})
			if r.status != 200 || r.object(t)["status"] != "done" || r.object(t)["completed_at"] == nil || r.object(t)["overdue"] != false {
				t.Fatalf("complete %d %s", r.status, r.body)
			}
			if r = e.do(t, "PATCH", url, staff, map[string]any{"version": 2, "responsible_id": e.f.Users[isms.RoleOwner].ID}); r.status != 422 {
				t.Fatalf("staff reassigns %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", url+"/notes", staff, nil); r.status != 200 || len(r.items(t)) != 1 {
				t.Fatalf("notes %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", url+"/history", staff, nil); r.status != 200 || len(r.items(t)) != 2 {
				t.Fatalf("history %d %s", r.status, r.body)
			}
			if r = e.do(t, "GET", "/api/v1/orgs/acme/my-actions", staff, nil); len(r.items(t)) != 0 {
				t.Fatalf("done action still listed %s", r.body)
			}
			if r = e.do(t, "GET", "/api/v1/orgs/acme/my-actions?status=all", staff, nil); len(r.items(t)) != 1 {
				t.Fatalf("all my actions %s", r.body)
			}
			// Contributors create only their own actions.
			if r = e.do(t, "POST", "/api/v1/orgs/acme/actions", contrib, map[string]any{"title": "x", "responsible_id": staffID}); r.status != 403 {
				t.Fatalf("contributor creates for others %d", r.status)
			}
			r = e.do(t, "GET", "/api/v1/orgs/acme/actions?overdue=yes", owner, nil)
			if r.status != 200 || len(r.items(t)) != 0 {
				t.Fatalf("overdue after completion %d %s", r.status, r.body)
			}
		})
	}
}
