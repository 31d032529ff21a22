package store_test

import (
	"bytes"
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/report"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// riskFixture is an organisation with approved criteria, an asset and
// three risks: one rated, treated and linked, one bare, one owned by a
// contributor.
func riskFixture(t *testing.T, db *store.DB) (storetest.Fixture, []isms.Risk) {
	t.Helper()
	ctx := context.Background()
	f := storetest.Seed(t, db, "acme")
	owner := f.Owner()
	approvedCriteria(t, db, owner, isms.Preset5x5)
	asset, err := db.CreateAsset(ctx, owner, isms.Asset{Name: "Laptop fleet", Type: isms.AssetHardware})
	if err != nil {
		t.Fatal(err)
	}
	ctrls, err := db.LinkOptions(ctx, owner, "control")
	if err != nil || len(ctrls) < 3 {
		t.Fatalf("controls: %d %v", len(ctrls), err)
	}
	r1, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Ransomware", Description: "Files encrypted", Category: "IT", CIA: "IA",
		OwnerID: f.Users[isms.RoleISMSManager].ID, Inherent: isms.Rating{Likelihood: 4, Consequence: 4},
		Residual: isms.Rating{Likelihood: 2, Consequence: 3}, Treatment: []isms.TreatmentOption{isms.TreatModify},
		Priority: 1, NextReview: "2027-01-31"},
		isms.Link{ToType: "control", ToID: ctrls[0].ID}, isms.Link{ToType: "asset", ToID: asset.ID})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Weak management engagement", Kind: isms.RiskISMS})
	if err != nil {
		t.Fatal(err)
	}
	r3, err := db.CreateRisk(ctx, f.Actors[isms.RoleContributor], isms.Risk{Title: "Supplier outage", Inherent: isms.Rating{Likelihood: 2, Consequence: 2}})
	if err != nil {
		t.Fatal(err)
	}
	return f, []isms.Risk{r1, r2, r3}
}

// exportRisks exports the register as the web page does.
func exportRisks(t *testing.T, db *store.DB, f storetest.Fixture) []byte {
	t.Helper()
	ctx := context.Background()
	a := f.Owner()
	list, err := db.ActiveRisks(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := db.CriteriaVersions(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	crit := map[string]isms.RiskCriteria{}
	for _, v := range vs {
		crit[v.ID] = v
	}
	refs, err := db.RiskExportRefs(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.RisksXLSX(&b, f.Org, list, crit, refs, report.Info{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// snapshot is what an import may change: each risk's version, and the
// number of links and audit entries.
func snapshot(t *testing.T, db *store.DB, a isms.Actor) string {
	t.Helper()
	ctx := context.Background()
	page, err := db.Risks(ctx, a, isms.ListQuery{Limit: 500, Archived: "all"})
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, r := range page.Items {
		parts = append(parts, r.Ref+"@"+strconv.Itoa(r.Version)+":"+r.Title+":"+r.OwnerID+":"+string(r.Status))
		ls, err := db.LinksFrom(ctx, a, "risk", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			parts = append(parts, r.Ref+"->"+l.ToType+":"+l.ToID)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "|")
}

// editCell changes the cell under header col of the row whose first cell
// is ref.
func editCell(t *testing.T, data []byte, ref, col, value string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	rows, _ := f.GetRows(sheet)
	ci := -1
	for i, h := range rows[0] {
		if h == col {
			ci = i
		}
	}
	if ci < 0 {
		t.Fatalf("no column %q in %v", col, rows[0])
	}
	for r, row := range rows {
		if len(row) > 0 && row[0] == ref {
			cell, _ := excelize.CoordinatesToCellName(ci+1, r+1)
			if err := f.SetCellValue(sheet, cell, value); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func parse(t *testing.T, data []byte) []isms.RiskRow {
	t.Helper()
	rows, err := report.ParseRisks(data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return rows
}

func TestRiskImportRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, rs := riskFixture(t, db)
		owner := f.Owner()
		data := exportRisks(t, db, f)
		before := snapshot(t, db, owner)

		// The unchanged export imports as "no change", and writes nothing.
		rep, err := db.ImportRisks(ctx, owner, parse(t, data), true)
		if err != nil || !rep.Valid() || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
			t.Fatalf("dry run of the unchanged export: %+v %v", rep, err)
		}
		rep, err = db.ImportRisks(ctx, owner, parse(t, data), false)
		if err != nil || !rep.Applied || rep.Unchanged != 3 {
			t.Fatalf("import of the unchanged export: %+v %v", rep, err)
		}
		if got := snapshot(t, db, owner); got != before {
			t.Fatalf("unchanged import changed the register:\n%s\n%s", before, got)
		}

		// One edited cell changes exactly that risk.
		edited := editCell(t, data, rs[1].Ref, "Priority", "7")
		rep, err = db.ImportRisks(ctx, owner, parse(t, edited), true)
		if err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
			t.Fatalf("dry run of one edit: %+v %v", rep, err)
		}
		if got := snapshot(t, db, owner); got != before {
			t.Fatal("the dry run wrote")
		}
		if rep, err = db.ImportRisks(ctx, owner, parse(t, edited), false); err != nil || !rep.Applied || rep.Updated != 1 {
			t.Fatalf("import of one edit: %+v %v", rep, err)
		}
		for i, r := range rs {
			got, err := db.Risk(ctx, owner, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantVersion := r.Version
			if i == 1 {
				wantVersion++
				if got.Priority != 7 {
					t.Errorf("priority not imported: %d", got.Priority)
				}
			}
			if got.Version != wantVersion {
				t.Errorf("%s: version %d, want %d", r.Ref, got.Version, wantVersion)
			}
		}
		h, err := db.RiskHistory(ctx, owner, rs[1].ID)
		if err != nil || len(h) < 2 {
			t.Fatalf("the import is not in the risk's history: %v %v", h, err)
		}

		// The same file again is now stale for that risk only.
		rep, err = db.ImportRisks(ctx, owner, parse(t, edited), true)
		stale := ""
		for _, r := range rep.Rows {
			for _, p := range r.Problems {
				stale += r.Ref + ":" + p.Msg.Key
			}
		}
		if err != nil || rep.ProblemRows() != 1 || stale != rs[1].Ref+":validation.import_risk_stale" {
			t.Fatalf("stale file: %+v %v", rep, err)
		}

		// A fresh export edited in ratings, owner, links and a new row.
		data = exportRisks(t, db, f)
		data = editCell(t, data, rs[0].Ref, "Likelihood", "2")
		data = editCell(t, data, rs[0].Ref, "Planned controls", "A.5.1, A.8.13")
		data = editCell(t, data, rs[2].Ref, "Owner email", f.Users[isms.RoleOwner].Email)
		x, _ := excelize.OpenReader(bytes.NewReader(data))
		sheet := x.GetSheetList()[0]
		rows, _ := x.GetRows(sheet)
		x.SetSheetRow(sheet, "A"+strconv.Itoa(len(rows)+1), &[]any{"", "", "Phishing", "Event or scenario"})
		var b bytes.Buffer
		x.WriteTo(&b)
		rep, err = db.ImportRisks(ctx, owner, parse(t, b.Bytes()), false)
		if err != nil || !rep.Applied || rep.Created != 1 || rep.Updated != 2 {
			t.Fatalf("edited import: %+v %v", rep, err)
		}
		got, _ := db.Risk(ctx, owner, rs[0].ID)
		if got.Inherent.Likelihood != 2 || got.Inherent.Level == "" || got.Inherent.Level == rs[0].Inherent.Level && rs[0].Inherent.Level == "" {
			t.Errorf("rating not imported: %+v", got.Inherent)
		}
		ls, _ := db.LinksFrom(ctx, owner, "risk", rs[0].ID)
		var refs []string
		for _, l := range ls {
			refs = append(refs, l.ToType+":"+l.OtherRef)
		}
		sort.Strings(refs)
		if strings.Join(refs, ",") != "asset:AS-001,control:A.5.1,control:A.8.13" {
			t.Errorf("links after import: %v", refs)
		}
		got, _ = db.Risk(ctx, owner, rs[2].ID)
		if got.OwnerID != f.Users[isms.RoleOwner].ID {
			t.Errorf("owner not imported: %q", got.OwnerID)
		}
		page, _ := db.Risks(ctx, owner, isms.ListQuery{Q: "Phishing", Limit: 10})
		if page.Total != 1 || page.Items[0].Ref != "R-004" {
			t.Errorf("new risk: %+v", page.Items)
		}
	})
}

func TestRiskImportRefusesBadFiles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, rs := riskFixture(t, db)
		owner := f.Owner()
		// R-002 has been changed once since it was created.
		rs[1].Priority = 4
		if _, err := db.UpdateRisk(ctx, owner, rs[1], rs[1].Version); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, db, owner)
		good := "ref,version,title,priority\n" + rs[1].Ref + ",2,Weak management engagement,5\n"

		// Files refused as a whole name the column.
		for name, file := range map[string]string{
			"unknown column":   "title,colour\nA,red\n",
			"missing title":    "kind,category\nscenario,IT\n",
			"duplicate column": "title,Title\nA,B\n",
		} {
			_, err := report.ParseRisks([]byte(file))
			ie, ok := err.(*report.ImportError)
			if !ok || len(ie.Problems) == 0 {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if name == "unknown column" && !strings.Contains(ie.Problems[0].Args[0].(string), "colour") {
				t.Errorf("unknown column not named: %+v", ie.Problems)
			}
		}

		// Row problems: each file has one good row and one bad one, and is
		// refused whole.
		cases := map[string]struct{ file, field, key string }{
			"duplicate ref": {good + rs[1].Ref + ",2,Again,3\n", "ref", "validation.import_duplicate_ref"},
			"unknown ref":   {good + "R-999,1,Ghost,3\n", "ref", "validation.import_unknown_risk"},
			"stale version": {"ref,version,title\n" + rs[0].Ref + ",1,Ransomware\n" + rs[1].Ref + ",1,New title\n", "version", "validation.import_risk_stale"},
			"rating off the scale": {"ref,title,inherent_likelihood,inherent_consequence\n" + rs[1].Ref + ",Weak management engagement,,\n,New,7,2\n",
				"inherent_likelihood", "validation.scale_value"},
			"unknown level name": {"ref,title,inherent_likelihood,inherent_consequence\n" + rs[1].Ref + ",Weak management engagement,,\n,New,Sometimes,2\n",
				"inherent_likelihood", "validation.import_scale_label"},
			"owner not a member": {"ref,title,owner\n" + rs[1].Ref + ",Weak management engagement,\n,New,nobody@example.org\n", "owner", "validation.import_unknown_member"},
			"owner cannot own":   {"ref,title,owner\n" + rs[1].Ref + ",Weak management engagement,\n,New," + f.Users[isms.RoleAuditor].Email + "\n", "owner", "validation.risk_owner"},
			"unknown control":    {"ref,title,controls\n" + rs[1].Ref + ",Weak management engagement,\n,New,\"A.5.1, A.99.9\"\n", "controls", "validation.import_unknown_controls"},
			"unknown asset":      {"ref,title,assets\n" + rs[1].Ref + ",Weak management engagement,\n,New,AS-404\n", "assets", "validation.import_unknown_assets"},
			"missing title":      {"ref,title\n" + rs[1].Ref + ",Weak management engagement\n,\"\"\n", "", ""},
			"bad treatment":      {"ref,title,treatment\n" + rs[1].Ref + ",Weak management engagement,\n,New,Ignore it\n", "treatment", "validation.choice"},
			"take on a threat":   {"ref,title,treatment\n" + rs[1].Ref + ",Weak management engagement,\n,New,Take\n", "treatment", "validation.take_needs_opportunity"},
			"bad date":           {"ref,title,next_review\n" + rs[1].Ref + ",Weak management engagement,\n,New,soon\n", "next_review", "validation.date"},
			"residual without inherent": {"ref,title,residual_likelihood,residual_consequence\n" + rs[1].Ref + ",Weak management engagement,,\n,New,2,2\n",
				"inherent_likelihood", "validation.inherent_first"},
		}
		for name, c := range cases {
			rows, err := report.ParseRisks([]byte(c.file))
			if name == "missing title" {
				// A blank row is skipped; a row with only a ref column
				// missing its title is checked by the store.
				rows, err = report.ParseRisks([]byte("ref,title,category\n" + rs[1].Ref + ",Weak management engagement,\n,,IT\n"))
				c.field, c.key = "title", "validation.required"
			}
			if err != nil {
				t.Errorf("%s: parse: %v", name, err)
				continue
			}
			rep, err := db.ImportRisks(ctx, owner, rows, false)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if rep.Applied || rep.Valid() {
				t.Errorf("%s: file accepted: %+v", name, rep)
			}
			found := false
			for _, r := range rep.Rows {
				for _, p := range r.Problems {
					found = found || (p.Field == c.field && p.Msg.Key == c.key)
				}
			}
			if !found {
				t.Errorf("%s: no %s/%s in %+v", name, c.field, c.key, rep.Rows)
			}
			if got := snapshot(t, db, owner); got != before {
				t.Fatalf("%s: a refused file changed the register", name)
			}
		}

		// Only owners and ISMS managers import.
		rows := parse(t, []byte(good))
		for _, role := range []isms.Role{isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff} {
			if _, err := db.ImportRisks(ctx, f.Actors[role], rows, true); isms.ErrorKind(err) != isms.KindForbidden {
				t.Errorf("%s imports: %v", role, err)
			}
		}
		// Another organisation's reference is unknown here.
		g := storetest.Seed(t, db, "other")
		rep, err := db.ImportRisks(ctx, g.Owner(), rows, true)
		if err != nil || rep.Valid() {
			t.Errorf("other organisation sees the risk: %+v %v", rep, err)
		}
		if got := snapshot(t, db, owner); got != before {
			t.Fatal("refused imports changed the register")
		}
	})
}
