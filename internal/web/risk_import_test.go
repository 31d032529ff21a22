package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
)

func TestRiskImportPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, f := seeded(t, db, "acme")
		owner := e.as(f.Users[isms.RoleOwner])
		d, err := db.StartCriteria(ctx, f.Owner(), isms.Preset5x5)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveCriteria(ctx, f.Owner(), d.ID, d.Version); err != nil {
			t.Fatal(err)
		}
		x, err := db.CreateRisk(ctx, f.Owner(), isms.Risk{Title: "Ransomware", Inherent: isms.Rating{Likelihood: 4, Consequence: 4}})
		if err != nil {
			t.Fatal(err)
		}
		owner.get("/o/acme/risks").expect(t, 200, `href="/o/acme/risks/import"`, "Import from Excel")
		e.as(f.Users[isms.RoleContributor]).get("/o/acme/risks").expect(t, 200).lacks(t, `href="/o/acme/risks/import"`)
		owner.get("/o/acme/risks/import").expect(t, 200, "Import risks", "inherent_likelihood", "Read on import")
		// Wrong columns: refused as a whole, naming them.
		owner.uploadImport("/o/acme/risks/import", "r.csv", []byte("Risk name,Colour\nx,y\n")).expect(t, 422, "The file cannot be imported", "Colour")
		// Row problems: listed by row, nothing written.
		bad := "ref,title,inherent_likelihood,inherent_consequence,owner\nR-001,Ransomware,4,4,\n,Phishing,9,2,\n,Fraud,,,nobody@acme.test\nR-001,Again,,,\n"
		owner.uploadImport("/o/acme/risks/import", "r.csv", []byte(bad)).
			expect(t, 422, "3 rows have problems", "Choose a level between 1 and 5", "nobody@acme.test is not a member", "already used on row 2").lacks(t, `name="commit"`)
		// A clean file: the dry run writes nothing and offers the import.
		good := "ref,version,title,inherent_likelihood,inherent_consequence,controls\nR-001,1,Ransomware attack,4 · Likely,4,A.8.13\n,,Phishing,2,3,\n"
		r := owner.uploadImport("/o/acme/risks/import", "good.csv", []byte(good)).expect(t, 200, "1 risks to add, 1 to change", "Import all 2 rows", "Will be added", "Will be changed")
		if page, _ := db.Risks(ctx, f.Owner(), isms.ListQuery{}); page.Total != 1 {
			t.Fatalf("the dry run wrote: %d risks", page.Total)
		}
		data := regexpFind(t, `name="data" value="([^"]+)"`, r.body)
		r = owner.post("/o/acme/risks/import", url.Values{"commit": {"yes"}, "data": {data}})
		owner.follow(r.redirectsTo(t, "/o/acme/risks")).expect(t, 200, "Import done: 1 risks added, 1 changed", "Ransomware attack", "Phishing")
		got, _ := db.Risk(ctx, f.Owner(), x.ID)
		if got.Version != 2 || got.Title != "Ransomware attack" {
			t.Fatalf("risk after import: %+v", got)
		}
		// The same file again: changed since export.
		owner.post("/o/acme/risks/import", url.Values{"commit": {"yes"}, "data": {data}}).expect(t, 422, "Changed since export")
		e.as(f.Users[isms.RoleAuditor]).uploadImport("/o/acme/risks/import", "good.csv", []byte(good)).expect(t, 403)

		// The assessment report, for every reader.
		for _, u := range []isms.User{f.Users[isms.RoleOwner], f.Users[isms.RoleAuditor]} {
			c := e.as(u)
			if r := c.get("/o/acme/risks/report.docx"); r.status != 200 || !strings.HasPrefix(r.body, "PK") {
				t.Fatalf("docx: %d", r.status)
			}
			if r := c.get("/o/acme/risks/report.pdf"); r.status != 200 || !strings.HasPrefix(r.body, "%PDF") {
				t.Fatalf("pdf: %d", r.status)
			}
		}
		owner.get("/o/acme/risks/plan").expect(t, 200, `href="/o/acme/risks/report.docx"`, `href="/o/acme/risks/report.pdf"`)
	})
}
