package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

// uploadImport posts a file to the asset import as a browser's file input does.
func (c *client) uploadImport(path, name string, data []byte) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestAssetPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		owner := e.as(f.Users[isms.RoleOwner])
		// Add with a bad level and no type: the form comes back with both named.
		r := owner.post("/o/acme/assets/new", url.Values{"name": {"CRM"}, "confidentiality": {"9"}})
		r.expect(t, 422, "There is a problem", "Choose one of the listed options", "from 1 to 5")
		r = owner.post("/o/acme/assets/new", url.Values{"name": {"Customer database"}, "type": {"information"}, "classification": {"restricted"}, "confidentiality": {"5"}})
		r.redirectsTo(t, "/o/acme/assets/")
		owner.follow(r).expect(t, 200, "AS-001", "Customer database", "Restricted")
		r = owner.post("/o/acme/assets/new", url.Values{"name": {"CRM"}, "type": {"application"}, "depends_on": {"as-001"}})
		crm := owner.follow(r).expect(t, 200, "AS-002", "Depends on", "Customer database")
		crmURL := r.location
		db1 := regexpFind(t, `href="(/o/acme/assets/[^"]+)">AS-001`, crm.body)
		owner.get(db1).expect(t, 200, "Used by", "CRM")
		// A stale edit keeps the input and says who changed it.
		ver := regexpFind(t, `name="version" value="(\d+)"`, owner.get(crmURL+"/edit").body)
		owner.post(crmURL+"/edit", url.Values{"name": {"CRM system"}, "type": {"application"}, "version": {ver}}).redirectsTo(t, crmURL)
		owner.post(crmURL+"/edit", url.Values{"name": {"CRM 2"}, "type": {"application"}, "version": {ver}}).expect(t, 409, "changed by", "CRM 2")
		// Filters and the export.
		owner.get("/o/acme/assets?type=application").expect(t, 200, "1 asset", "CRM system").lacks(t, "Customer database")
		x := owner.get("/o/acme/assets/export.xlsx")
		if x.status != 200 || !strings.Contains(x.header.Get("Content-Disposition"), "acme-assets-") {
			t.Fatalf("export %d %v", x.status, x.header)
		}
		// Staff may not read the register; contributors may not add.
		e.as(f.Users[isms.RoleStaff]).get("/o/acme/assets").expect(t, 403)
		e.as(f.Users[isms.RoleContributor]).post("/o/acme/assets/new", url.Values{"name": {"x"}, "type": {"site"}}).expect(t, 403)
	})
}

func TestAssetImportPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		owner := e.as(f.Users[isms.RoleOwner])
		owner.get("/o/acme/assets/import").expect(t, 200, "Download the template", "depends_on")
		if r := owner.get("/o/acme/assets/import/template.xlsx"); r.status != 200 || !strings.HasPrefix(r.body, "PK") {
			t.Fatalf("template %d", r.status)
		}
		// Wrong columns: refused as a whole, naming them.
		owner.uploadImport("/o/acme/assets/import", "a.csv", []byte("Asset,Colour\nx,y\n")).expect(t, 422, "The file cannot be imported", "Colour", "is missing")
		// Row problems: listed by row, nothing written.
		bad := "name,type,owner\nLaptops,hardware,nobody@acme.test\nLaptops,hardware,\n"
		owner.uploadImport("/o/acme/assets/import", "a.csv", []byte(bad)).expect(t, 422, "2 rows have problems", "nobody@acme.test is not a member", "already used on row 2").lacks(t, `name="commit"`)
		// A clean file: the dry run writes nothing and offers the import.
		good := "name,type,depends_on\nLaptops,hardware,Device management\nDevice management,application,\n"
		r := owner.uploadImport("/o/acme/assets/import", "good.csv", []byte(good)).expect(t, 200, "2 assets to add", "Import all 2 rows", "Will be added")
		if page, _ := db.Assets(context.Background(), f.Owner(), isms.ListQuery{}); page.Total != 0 {
			t.Fatalf("the dry run wrote %d assets", page.Total)
		}
		data := regexpFind(t, `name="data" value="([^"]+)"`, r.body)
		r = owner.post("/o/acme/assets/import", url.Values{"commit": {"yes"}, "data": {data}})
		owner.follow(r.redirectsTo(t, "/o/acme/assets")).expect(t, 200, "Import done: 2 assets added", "Device management", "Laptops")
		e.as(f.Users[isms.RoleAuditor]).uploadImport("/o/acme/assets/import", "good.csv", []byte(good)).expect(t, 403)
	})
}

func TestThreatPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		e, f := seeded(t, db, "acme")
		owner := e.as(f.Users[isms.RoleOwner])
		owner.get("/o/acme/threats").expect(t, 200, "No threats recorded yet", "Load the starter catalogue")
		r := owner.post("/o/acme/starter-catalogue", url.Values{"kind": {"vulnerability"}})
		owner.follow(r.redirectsTo(t, "/o/acme/vulnerabilities")).expect(t, 200, "Starter catalogue loaded", "Weak or reused passwords").lacks(t, "Load the starter catalogue")
		owner.get("/o/acme/threats?control=8.13").expect(t, 200, "Ransomware", "Hardware failure").lacks(t, "Phishing email")
		r = owner.post("/o/acme/threats/new", url.Values{"title": {"Drone over the yard"}, "category": {"deliberate"}, "controls": {"7.4 99.1"}})
		r.expect(t, 422, "There is no Annex A control 99.1")
		r = owner.post("/o/acme/threats/new", url.Values{"title": {"Drone over the yard"}, "category": {"deliberate"}, "controls": {"7.4"}})
		owner.follow(r).expect(t, 200, "Drone over the yard", "A.7.4", "Physical security monitoring", "Added by the organisation")
		e.as(f.Users[isms.RoleContributor]).get("/o/acme/vulnerabilities").expect(t, 200, "Backups never tested").lacks(t, "Add vulnerability")
	})
}

func TestActionPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		staffUser := f.Users[isms.RoleStaff]
		x, err := db.CreateAction(ctx, f.Owner(), isms.Action{Title: "Finish the awareness course", ResponsibleID: staffUser.ID, DueDate: "2020-02-03"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAction(ctx, f.Owner(), isms.Action{Title: "Someone else's plan", ResponsibleID: f.Users[isms.RoleContributor].ID}); err != nil {
			t.Fatal(err)
		}
		staff := e.as(staffUser)
		// Staff see their own tasks, overdue marked in words as well as colour.
		mine := staff.get("/o/acme/my-actions").expect(t, 200, "My tasks", "Finish the awareness course", `class="overdue"`, "(overdue)", "03 Feb 2020")
		mine.lacks(t, "Someone else&#39;s plan")
		staff.get("/o/acme/actions").expect(t, 403)
		staff.get("/o/acme/").expect(t, 200, "Your open actions", "1 overdue")
		url1 := "/o/acme/actions/" + x.ID
		page := staff.get(url1).expect(t, 200, "Mark as done", "Progress notes")
		// Marking done needs evidence; then the task leaves the list.
		staff.post(url1+"/complete", url.Values{"version": {"1"}}).expect(t, 422, "Say what shows the action was done")
		staff.post(url1+"/notes", url.Values{"body": {"Booked for Tuesday"}}).redirectsTo(t, url1)
		r := staff.post(url1+"/complete", url.Values{"version": {"1"}, "completion_evidence": {"Certificate in the HR file"}})
		staff.follow(r).expect(t, 200, "is done", "Certificate in the HR file", "Booked for Tuesday")
		staff.get("/o/acme/my-actions").expect(t, 200, "Nothing on your list")
		staff.get("/o/acme/my-actions?show=done").expect(t, 200, "Finish the awareness course")
		_ = page
		// Others may not change it; contributors create only their own.
		contrib := e.as(f.Users[isms.RoleContributor])
		contrib.post(url1+"/notes", url.Values{"body": {"x"}}).expect(t, 403)
		r = contrib.post("/o/acme/actions/new", url.Values{"title": {"Patch the router"}, "status": {"open"}, "responsible_id": {staffUser.ID}})
		contrib.follow(r).expect(t, 200, "Patch the router", f.Users[isms.RoleContributor].Name)
		// The register filters overdue actions.
		owner := e.as(f.Users[isms.RoleOwner])
		owner.get("/o/acme/actions?overdue=yes").expect(t, 200, "Overdue only").lacks(t, "Finish the awareness course")
		owner.post("/o/acme/actions/new", url.Values{"title": {""}}).expect(t, 422, "What will be done")
	})
}
