package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func controlByRef(t *testing.T, db *store.DB, a isms.Actor, ref string) isms.Control {
	t.Helper()
	cs, err := db.ActiveControls(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Ref == ref {
			return c
		}
	}
	t.Fatalf("no control %s", ref)
	return isms.Control{}
}

func fieldOf(err error) string {
	e := isms.AsError(err)
	if len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Field
}

func TestControlsRegister(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		g := storetest.Seed(t, db, "other")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]

		// A new organisation has every Annex A control, in number order.
		cs, err := db.ActiveControls(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 93 || cs[0].Ref != "A.5.1" || cs[1].Ref != "A.5.2" || cs[9].Ref != "A.5.10" || cs[92].Ref != "A.8.34" {
			t.Fatalf("%d controls, first %s %s … %s", len(cs), cs[0].Ref, cs[1].Ref, cs[92].Ref)
		}
		if cs[0].Title != "Policies for information security" || cs[0].Theme != "Organizational" || cs[0].Decision != "" || cs[0].Status != isms.StatusNotStarted {
			t.Fatalf("5.1 = %+v", cs[0])
		}
		// Filters by theme and by 27002 attribute.
		count := func(filters map[string]string) int {
			t.Helper()
			p, err := db.Controls(ctx, owner, isms.ListQuery{Filters: filters, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		for _, c := range []struct {
			f    map[string]string
			want int
		}{
			{map[string]string{"theme": "People"}, 8},
			{map[string]string{"control_type": "Corrective"}, 14},
			{map[string]string{"control_type": "Detective"}, 13},
			{map[string]string{"security_domain": "Resilience", "theme": "Technological"}, -1},
			{map[string]string{"operational_capability": "Continuity"}, -1},
		} {
			if got := count(c.f); c.want >= 0 && got != c.want || got == 0 {
				t.Errorf("filter %v: %d controls, want %d", c.f, got, c.want)
			}
		}
		if _, err := db.Controls(ctx, owner, isms.ListQuery{Filters: map[string]string{"control_type": "Sneaky"}}); fieldOf(err) != "control_type" {
			t.Fatalf("unknown attribute value: %v", err)
		}

		// Custom controls: validation, unique codes, relations to Annex A.
		if _, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "A.99"}, Title: "x", Theme: "People"}); fieldOf(err) != "ref" {
			t.Fatalf("reserved code: %v", err)
		}
		if _, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "x", Theme: "People", RelatedIDs: []string{"9.9"}}); fieldOf(err) != "related_ids" {
			t.Fatalf("unknown Annex A control: %v", err)
		}
		mdm, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Mobile device management", Theme: "Technological",
			RelatedIDs: []string{"8.1", "5.10"}, ControlTypes: []string{"Preventive"}})
		if err != nil {
			t.Fatal(err)
		}
		if mdm.Kind != isms.ControlCustom || len(mdm.RelatedIDs) != 2 || count(map[string]string{"kind": "custom"}) != 1 {
			t.Fatalf("custom control %+v", mdm)
		}
		if _, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Again", Theme: "People"}); fieldOf(err) != "ref" {
			t.Fatalf("duplicate code: %v", err)
		}
		if _, err := db.CreateControl(ctx, g.Owner(), isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Theirs", Theme: "People"}); err != nil {
			t.Fatalf("another organisation may use the same code: %v", err)
		}
		if _, err := db.CreateControl(ctx, contrib, isms.Control{Meta: isms.Meta{Ref: "C-2"}, Title: "x", Theme: "People"}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor creating a control: %v", err)
		}

		// Contributors change the controls they own, nothing else, and
		// cannot hand them on.
		c51 := controlByRef(t, db, owner, "A.5.1")
		if _, err := db.UpdateControl(ctx, contrib, c51, c51.Version); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor editing someone else's control: %v", err)
		}
		c51.OwnerID = contrib.UserID
		if c51, err = db.UpdateControl(ctx, owner, c51, c51.Version); err != nil {
			t.Fatal(err)
		}
		edit := c51
		edit.Status, edit.Implementation, edit.Title = isms.StatusPlanned, "Policy drafted", "Renamed by hand"
		got, err := db.UpdateControl(ctx, contrib, edit, edit.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != isms.StatusPlanned || got.Title != "Policies for information security" || got.OwnerName == "" {
			t.Fatalf("after contributor edit: %+v", got)
		}
		edit = got
		edit.OwnerID = f.Actors[isms.RoleISMSManager].UserID
		if _, err := db.UpdateControl(ctx, contrib, edit, edit.Version); fieldOf(err) != "owner_id" {
			t.Fatalf("contributor reassigning: %v", err)
		}
		if _, err := db.UpdateControl(ctx, f.Actors[isms.RoleAuditor], got, got.Version); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("auditor editing: %v", err)
		}
		// Optimistic locking.
		stale := c51
		stale.Implementation = "stale"
		if _, err := db.UpdateControl(ctx, owner, stale, stale.Version); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("stale update: %v", err)
		}
		// Another organisation's control is not found.
		if _, err := db.Control(ctx, g.Owner(), c51.ID); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("cross-organisation read: %v", err)
		}
		if _, err := db.Control(ctx, f.Actors[isms.RoleStaff], c51.ID); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff read: %v", err)
		}

		// Exclusion replaced by a custom control: it must be a custom one.
		c57 := controlByRef(t, db, owner, "A.5.7")
		c57.Decision, c57.ExclusionReason, c57.ExclusionText, c57.ReplacedByID = isms.DecisionExcluded, isms.ExcludedReplaced, "MDM covers it", c51.ID
		if _, err := db.UpdateControl(ctx, owner, c57, c57.Version); fieldOf(err) != "replaced_by_id" {
			t.Fatalf("replaced by an Annex A control: %v", err)
		}
		c57.ReplacedByID = mdm.ID
		if c57, err = db.UpdateControl(ctx, owner, c57, c57.Version); err != nil || c57.ReplacedByRef != "MDM-1" {
			t.Fatalf("replaced by custom: %+v %v", c57, err)
		}
		// Outlines name the same controls as the full records, with what a
		// control's page needs of its neighbours; other organisations' and
		// no one else's.
		outlines, err := db.ControlOutlines(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		full, err := db.ActiveControls(ctx, owner)
		if err != nil || len(outlines) != len(full) || len(outlines) != 94 {
			t.Fatalf("%d outlines, %d controls: %v", len(outlines), len(full), err)
		}
		for i, o := range outlines {
			c := full[i]
			if o.ID != c.ID || o.Ref != c.Ref || o.Title != c.Title || o.Kind != c.Kind || o.CatalogID != c.CatalogID ||
				o.ReplacedByID != c.ReplacedByID || strings.Join(o.RelatedIDs, ",") != strings.Join(c.RelatedIDs, ",") {
				t.Fatalf("outline %d = %+v, control %+v", i, o, c)
			}
			if o.Ref == "A.5.7" && o.ReplacedByID != mdm.ID || o.Ref == "MDM-1" && strings.Join(o.RelatedIDs, ",") != "8.1,5.10" {
				t.Fatalf("outline %s: replaced by %q, related %v", o.Ref, o.ReplacedByID, o.RelatedIDs)
			}
		}
		if _, err := db.ControlOutlines(ctx, isms.Actor{UserID: owner.UserID, OrgID: owner.OrgID}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("outlines without a role: %v", err)
		}
		// Archiving: Annex A never; a custom control only while it replaces nothing.
		if _, err := db.ArchiveControl(ctx, owner, c51.ID, got.Version, true); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("archive Annex A: %v", err)
		}
		if _, err := db.ArchiveControl(ctx, owner, mdm.ID, mdm.Version, true); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("archive a replacing control: %v", err)
		}
		c57.Decision = isms.DecisionIncluded
		if c57, err = db.UpdateControl(ctx, owner, c57, c57.Version); err != nil || c57.ReplacedByID != "" || c57.ExclusionText != "" {
			t.Fatalf("re-include: %+v %v", c57, err)
		}
		if _, err := db.ArchiveControl(ctx, owner, mdm.ID, mdm.Version, true); err != nil {
			t.Fatal(err)
		}
		h, err := db.ControlHistory(ctx, owner, c57.ID)
		if err != nil || len(h) < 3 {
			t.Fatalf("history %d %v", len(h), err)
		}
		if n, brk, err := db.VerifyAuditLog(ctx); err != nil || brk != nil || n == 0 {
			t.Fatalf("audit chain: %v %+v", err, brk)
		}
	})
}

func TestImportLicensedText(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		_, err := db.ImportLicensedText(ctx, owner, []store.LicensedText{{ID: "5.1", Text: "Licensed text one"}, {ID: "9.99", Text: "x"}})
		var ie *store.ImportError
		if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Row != 2 {
			t.Fatalf("unknown control row: %v", err)
		}
		if c := controlByRef(t, db, owner, "A.5.1"); c.LicensedText != "" {
			t.Fatal("a failed import wrote text")
		}
		n, err := db.ImportLicensedText(ctx, owner, []store.LicensedText{{ID: "5.1", Text: "Licensed text one"}, {ID: "A.8.34", Text: "Licensed text two"}})
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		if c := controlByRef(t, db, owner, "A.8.34"); c.LicensedText != "Licensed text two" {
			t.Fatalf("8.34 text %q", c.LicensedText)
		}
		// Private to the organisation.
		g := storetest.Seed(t, db, "other")
		if c := controlByRef(t, db, g.Owner(), "A.5.1"); c.LicensedText != "" {
			t.Fatal("licensed text leaked to another organisation")
		}
		if _, err := db.ImportLicensedText(ctx, f.Actors[isms.RoleContributor], []store.LicensedText{{ID: "5.1", Text: "x"}}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("contributor import: %v", err)
		}
	})
}
