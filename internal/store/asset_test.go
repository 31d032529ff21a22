package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func TestAssetsLifecycle(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, contrib, staff := f.Owner(), f.Actors[isms.RoleContributor], f.Actors[isms.RoleStaff]
		crm, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "CRM", Type: isms.AssetApplication, OwnerID: contrib.UserID,
			Classification: isms.ClassConfidential, Confidentiality: 4, Integrity: 3, Availability: 2})
		if err != nil {
			t.Fatal(err)
		}
		if crm.Ref != "AS-001" || crm.State != isms.AssetInUse || crm.OwnerName == "" || crm.OwnerEmail != contrib.UserName && crm.OwnerEmail == "" {
			t.Fatalf("created %+v", crm)
		}
		data, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Customer database", Type: isms.AssetInformation, CustodianText: "Hosting supplier"})
		if err != nil {
			t.Fatal(err)
		}
		// The CRM depends on the database (by reference) and on nothing else.
		crm.DependsOn = []string{data.Ref}
		crm, err = db.UpdateAsset(ctx, owner, crm, 1)
		if err != nil {
			t.Fatal(err)
		}
		if crm.Version != 2 || fmt.Sprint(crm.DependsOn) != "[AS-002]" {
			t.Fatalf("dependencies %+v v%d", crm.DependsOn, crm.Version)
		}
		p, err := db.AssetPage(ctx, owner, data.ID)
		if err != nil || len(p.UsedBy) != 1 || p.UsedBy[0].ID != crm.ID {
			t.Fatalf("used by %+v %v", p.UsedBy, err)
		}
		// Cycles are allowed, self-links are not.
		data.DependsOn = []string{crm.ID}
		if data, err = db.UpdateAsset(ctx, owner, data, 1); err != nil {
			t.Fatalf("cycle refused: %v", err)
		}
		data.DependsOn = []string{data.Ref}
		if _, err := db.UpdateAsset(ctx, owner, data, data.Version); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("self-dependency: %v", err)
		}
		data.DependsOn = []string{"AS-999"}
		_, err = db.UpdateAsset(ctx, owner, data, data.Version)
		if e := isms.AsError(err); e.Kind != isms.KindInvalid || e.Fields[0].Field != "depends_on" {
			t.Fatalf("unknown dependency: %v", err)
		}
		// Validation: type, scale, custodian both ways, duplicate name.
		_, err = db.CreateAsset(ctx, owner, isms.Asset{Name: "crm", Type: "spaceship", Confidentiality: 6, CustodianID: owner.UserID, CustodianText: "x"})
		e := isms.AsError(err)
		fields := map[string]bool{}
		for _, fe := range e.Fields {
			fields[fe.Field] = true
		}
		if !fields["type"] || !fields["confidentiality"] || !fields["custodian_text"] {
			t.Fatalf("validation %v", err)
		}
		if _, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "crm", Type: isms.AssetApplication}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("duplicate name: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if _, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Laptop", Type: isms.AssetHardware, OwnerID: g.Owner().UserID}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("non-member owner: %v", err)
		}
		// A stale edit is refused.
		crm.Location = "Cloud"
		if _, err := db.UpdateAsset(ctx, owner, crm, 1); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale: %v", err)
		}
		// Permissions and isolation.
		if _, err := db.CreateAsset(ctx, contrib, isms.Asset{Name: "Mine", Type: isms.AssetHardware}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor create: %v", err)
		}
		if _, err := db.Assets(ctx, staff, isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff list: %v", err)
		}
		if _, err := db.Asset(ctx, g.Owner(), crm.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org read: %v", err)
		}
		if _, err := db.CreateAsset(ctx, g.Owner(), isms.Asset{Name: "Theirs", Type: isms.AssetHardware, DependsOn: []string{crm.ID}}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("cross-org dependency: %v", err)
		}
		// Lists, filters, history.
		page, err := db.Assets(ctx, owner, isms.ListQuery{Filters: map[string]string{"type": "application"}})
		if err != nil || page.Total != 1 || page.Items[0].Name != "CRM" || len(page.Items[0].DependsOn) != 1 {
			t.Fatalf("filtered %+v %v", page, err)
		}
		if _, err := db.ArchiveAsset(ctx, owner, crm.ID, crm.Version, true); err != nil {
			t.Fatal(err)
		}
		h, err := db.AssetHistory(ctx, owner, crm.ID)
		if err != nil || len(h) != 3 {
			t.Fatalf("history %d %v", len(h), err)
		}
		found := false
		for _, c := range h[1].Changes {
			found = found || (c.Field == "depends_on" && c.After == "AS-002")
		}
		if !found {
			t.Fatalf("history lacks the dependency: %+v", h[1].Changes)
		}
		// The name of an archived asset may be used again.
		if _, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "CRM", Type: isms.AssetApplication}); err != nil {
			t.Fatalf("name of an archived asset: %v", err)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n == 0 {
			t.Fatalf("audit %d %+v %v", n, brk, err)
		}
	})
}

func row(line int, name string, typ isms.AssetType, mod func(*isms.AssetRow)) isms.AssetRow {
	r := isms.AssetRow{Line: line, Asset: isms.Asset{Name: name, Type: typ}}
	if mod != nil {
		mod(&r)
	}
	return r
}

func TestAssetImport(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		existing, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Email service", Type: isms.AssetService})
		if err != nil {
			t.Fatal(err)
		}
		contribEmail := f.Users[isms.RoleContributor].Email
		rows := []isms.AssetRow{
			// Depends on a row further down, by name.
			row(2, "Laptops", isms.AssetHardware, func(r *isms.AssetRow) {
				r.Owner = strings.ToUpper(contribEmail)
				r.DependsOn = []string{"Device management"}
			}),
			row(3, "Device management", isms.AssetApplication, func(r *isms.AssetRow) {
				r.Custodian = "Outsourced IT Ltd"
				r.DependsOn = []string{existing.Ref}
			}),
			// Updates the existing asset by reference.
			row(4, "Email service", isms.AssetService, func(r *isms.AssetRow) {
				r.Ref, r.Version = existing.Ref, 1
				r.Asset.Location = "Microsoft 365"
			}),
		}
		bad := append(append([]isms.AssetRow(nil), rows...),
			row(5, "laptops", isms.AssetHardware, nil),                                             // duplicate name in the file
			row(6, "Printer", "robot", func(r *isms.AssetRow) { r.Owner = "nobody@nowhere.test" }), // bad type, unknown owner
			row(7, "Router", isms.AssetHardware, func(r *isms.AssetRow) { r.DependsOn = []string{"AS-404", "Ghost"} }),
			row(8, "Email service", isms.AssetService, nil), // exists already
			row(9, "Old", isms.AssetHardware, func(r *isms.AssetRow) { r.Ref = "AS-777" }),
			row(10, "Stale", isms.AssetService, func(r *isms.AssetRow) { r.Ref, r.Version = existing.Ref, 9 }),
		)
		before := countAssets(t, db, owner)
		rep, err := db.ImportAssets(ctx, owner, bad, false)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Valid() || rep.Applied || countAssets(t, db, owner) != before {
			t.Fatalf("invalid import applied: %+v", rep)
		}
		want := map[int]string{5: "name", 6: "owner type", 7: "depends_on", 8: "name", 9: "ref", 10: "ref version"}
		for _, r := range rep.Rows {
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.Field)
			}
			if strings.Join(got, " ") != want[r.Line] {
				t.Errorf("line %d: problems %v, want %q", r.Line, r.Problems, want[r.Line])
			}
		}
		// The dry run of the good rows is clean and writes nothing.
		rep, err = db.ImportAssets(ctx, owner, rows, true)
		if err != nil || !rep.Valid() || rep.Applied || rep.Created != 2 || rep.Updated != 1 || countAssets(t, db, owner) != before {
			t.Fatalf("dry run %+v %v", rep, err)
		}
		rep, err = db.ImportAssets(ctx, owner, rows, false)
		if err != nil || !rep.Applied || rep.Created != 2 || rep.Updated != 1 {
			t.Fatalf("import %+v %v", rep, err)
		}
		page, err := db.Assets(ctx, owner, isms.ListQuery{Sort: "ref"})
		if err != nil || page.Total != 3 {
			t.Fatalf("after import %d %v", page.Total, err)
		}
		got := map[string]isms.Asset{}
		for _, x := range page.Items {
			got[x.Name] = x
		}
		if l := got["Laptops"]; fmt.Sprint(l.DependsOn) != "["+got["Device management"].Ref+"]" || l.OwnerID != f.Users[isms.RoleContributor].ID {
			t.Fatalf("laptops %+v", l)
		}
		if d := got["Device management"]; fmt.Sprint(d.DependsOn) != "[AS-001]" || d.CustodianText != "Outsourced IT Ltd" {
			t.Fatalf("device management %+v", d)
		}
		if e := got["Email service"]; e.Location != "Microsoft 365" || e.Version != 2 {
			t.Fatalf("email %+v", e)
		}
		// Importing the same rows again (without versions) changes nothing.
		for i := range rows {
			rows[i].Version = 0
			rows[i].Ref = got[rows[i].Asset.Name].Ref
		}
		rep, err = db.ImportAssets(ctx, owner, rows, false)
		if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import %+v %v", rep, err)
		}
		// Columns absent from the file keep their values.
		r := isms.AssetRow{Line: 2, Ref: got["Laptops"].Ref, Asset: isms.Asset{State: isms.AssetRetiring}, Present: map[string]bool{"ref": true, "state": true}}
		if rep, err = db.ImportAssets(ctx, owner, []isms.AssetRow{r}, false); err != nil || rep.Updated != 1 {
			t.Fatalf("partial %+v %v", rep, err)
		}
		l, _ := db.Asset(ctx, owner, got["Laptops"].ID)
		if l.State != isms.AssetRetiring || l.Name != "Laptops" || len(l.DependsOn) != 1 || l.OwnerID == "" {
			t.Fatalf("partial update %+v", l)
		}
		if _, err := db.ImportAssets(ctx, f.Actors[isms.RoleAuditor], rows, true); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor import: %v", err)
		}
		if _, err := db.ImportAssets(ctx, owner, nil, true); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("empty import: %v", err)
		}
	})
}

func countAssets(t *testing.T, db *store.DB, a isms.Actor) int {
	t.Helper()
	page, err := db.Assets(context.Background(), a, isms.ListQuery{Archived: isms.ArchivedInclude})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func TestThreatRegisters(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		res, err := db.LoadStarterCatalogue(ctx, owner)
		if err != nil || res.Threats < 38 || res.Vulnerabilities < 38 {
			t.Fatalf("load %+v %v", res, err)
		}
		page, err := db.Threats(ctx, owner, isms.KindThreat, isms.ListQuery{})
		if err != nil || page.Total != res.Threats || page.Items[0].Ref != "T-001" || page.Items[0].CatalogueID != "T-01" || page.Items[0].Kind != isms.KindThreat {
			t.Fatalf("threats %d %+v %v", page.Total, page.Items[0], err)
		}
		// Edits and archiving survive loading again, which adds nothing.
		x := page.Items[0]
		x.Title = "Phishing (our wording)"
		if _, err := db.UpdateThreat(ctx, owner, x, 1); err != nil {
			t.Fatal(err)
		}
		v := page.Items[1]
		if _, err := db.ArchiveThreat(ctx, owner, isms.KindThreat, v.ID, 1, true); err != nil {
			t.Fatal(err)
		}
		again, err := db.LoadStarterCatalogue(ctx, owner)
		if err != nil || again.Threats != 0 || again.Vulnerabilities != 0 {
			t.Fatalf("second load %+v %v", again, err)
		}
		got, _ := db.Threat(ctx, owner, isms.KindThreat, x.ID)
		if got.Title != "Phishing (our wording)" || got.CatalogueID != "T-01" {
			t.Fatalf("edit lost %+v", got)
		}
		// The firm's own entries; controls must exist.
		own, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindVulnerability, Title: "Door code never changed", Category: "physical", Controls: []string{"A.7.2", "7.1", "7.2"}})
		if err != nil || own.Ref[:2] != "V-" || fmt.Sprint(own.Controls) != "[7.1 7.2]" || own.CatalogueID != "" {
			t.Fatalf("own %+v %v", own, err)
		}
		if _, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: "x", Category: "deliberate", Controls: []string{"9.99"}}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("unknown control: %v", err)
		}
		if _, err := db.CreateThreat(ctx, owner, isms.Threat{Kind: isms.KindThreat, Title: "x", Category: "physical"}); isms.ErrorKind(err) != isms.KindInvalid {
			t.Fatalf("vulnerability category on a threat: %v", err)
		}
		// Filters.
		byCtl, err := db.Threats(ctx, owner, isms.KindVulnerability, isms.ListQuery{Filters: map[string]string{"control": "7.2", "source": "own"}})
		if err != nil || byCtl.Total != 1 {
			t.Fatalf("control filter %d %v", byCtl.Total, err)
		}
		// A threat id is not a vulnerability.
		if _, err := db.Threat(ctx, owner, isms.KindVulnerability, x.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("kind confusion: %v", err)
		}
		for _, role := range []isms.Role{isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff} {
			if _, err := db.LoadStarterCatalogue(ctx, f.Actors[role]); isms.ErrorKind(err) != isms.KindForbidden {
				t.Fatalf("%s loads catalogue: %v", role, err)
			}
		}
		g := storetest.Seed(t, db, "other")
		if _, err := db.Threat(ctx, g.Owner(), isms.KindThreat, x.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-org: %v", err)
		}
		h, err := db.ThreatHistory(ctx, owner, isms.KindThreat, x.ID)
		if err != nil || len(h) != 2 {
			t.Fatalf("history %d %v", len(h), err)
		}
		// Risks can link to threats, vulnerabilities and assets.
		a, _ := db.CreateAsset(ctx, owner, isms.Asset{Name: "Server", Type: isms.AssetHardware})
		if err := db.Link(ctx, owner, isms.Link{FromType: "vulnerability", FromID: own.ID, ToType: "asset", ToID: a.ID}); err != nil {
			t.Fatalf("link: %v", err)
		}
	})
}

// TestAssetScaleFollowsCriteria: requirement levels are checked against
// the consequence scale of the approved risk criteria once there are some.
func TestAssetScaleFollowsCriteria(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := storetest.Seed(t, db, "acme").Owner()
		if labels, err := db.AssetScale(ctx, owner); err != nil || labels != nil {
			t.Fatalf("scale without criteria %v %v", labels, err)
		}
		if _, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Five", Type: isms.AssetHardware, Availability: 5}); err != nil {
			t.Fatalf("level 5 on the default scale: %v", err)
		}
		c, err := db.StartCriteria(ctx, owner, isms.Preset3x3)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveCriteria(ctx, owner, c.ID, c.Version); err != nil {
			t.Fatal(err)
		}
		labels, err := db.AssetScale(ctx, owner)
		if err != nil || fmt.Sprint(labels) != "[Minor Moderate Major]" {
			t.Fatalf("scale %v %v", labels, err)
		}
		_, err = db.CreateAsset(ctx, owner, isms.Asset{Name: "Four", Type: isms.AssetHardware, Integrity: 4})
		if e := isms.AsError(err); e.Kind != isms.KindInvalid || e.Fields[0].Field != "integrity" || e.Fields[0].Msg.Args[0] != 3 {
			t.Fatalf("level 4 on a 3-level scale: %v", err)
		}
	})
}
