package store_test

import (
	"context"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestSoARiskLinks: a risk whose treatment relies on a control justifies
// including it, and excluding that control warns until the risk no
// longer relies on it (unlinked or archived).
func TestSoARiskLinks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Ransomware encrypts shared files"})
		if err != nil {
			t.Fatal(err)
		}
		c := controlByRef(t, db, owner, "A.8.7")
		if err := db.LinkRisk(ctx, owner, r.ID, "control", c.ID, "Treatment relies on malware protection"); err != nil {
			t.Fatal(err)
		}
		c.Decision = isms.DecisionIncluded
		if c, err = db.UpdateControl(ctx, owner, c, c.Version); err != nil {
			t.Fatal(err)
		}
		l := lineOf(t, db, owner, "A.8.7")
		if len(l.Risks) != 1 || l.Risks[0].Ref != r.Ref || hasWarning(l, isms.WarnIncludedUnjustified) {
			t.Fatalf("included with a risk: risks %v, warnings %v", l.Risks, l.Warnings)
		}
		// Excluding it, even with a reason, warns: a treatment relies on it.
		c.Decision, c.ExclusionReason, c.ExclusionText = isms.DecisionExcluded, isms.ExcludedNotNeeded, "We thought we did not need it."
		if c, err = db.UpdateControl(ctx, owner, c, c.Version); err != nil {
			t.Fatal(err)
		}
		l = lineOf(t, db, owner, "A.8.7")
		if !hasWarning(l, isms.WarnExcludedTreatsRisk) || hasWarning(l, isms.WarnExcludedNoReason) {
			t.Fatalf("excluded with a relying risk: warnings %v", l.Warnings)
		}
		// The approved version keeps the warning and the risk.
		v, err := db.PublishSoA(ctx, owner, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Entries {
			if e.Ref == "A.8.7" && (len(e.Risks) != 1 || len(e.Warnings) == 0 || e.Warnings[0] != isms.WarnExcludedTreatsRisk) {
				t.Fatalf("published entry %+v", e)
			}
		}
		// An archived risk no longer counts …
		if r, err = db.ArchiveRisk(ctx, owner, r.ID, r.Version, true); err != nil {
			t.Fatal(err)
		}
		if l = lineOf(t, db, owner, "A.8.7"); hasWarning(l, isms.WarnExcludedTreatsRisk) || len(l.Risks) != 0 {
			t.Fatalf("archived risk still counts: %v", l.Warnings)
		}
		// … a restored one does again, until it is unlinked.
		if _, err = db.ArchiveRisk(ctx, owner, r.ID, r.Version, false); err != nil {
			t.Fatal(err)
		}
		if l = lineOf(t, db, owner, "A.8.7"); !hasWarning(l, isms.WarnExcludedTreatsRisk) {
			t.Fatalf("restored risk: %v", l.Warnings)
		}
		if err := db.UnlinkRisk(ctx, owner, r.ID, "control", c.ID); err != nil {
			t.Fatal(err)
		}
		if l = lineOf(t, db, owner, "A.8.7"); hasWarning(l, isms.WarnExcludedTreatsRisk) {
			t.Fatalf("unlinked risk: %v", l.Warnings)
		}
		// Another organisation's risk can never be linked to this control.
		g := storetest.Seed(t, db, "other")
		r2, err := db.CreateRisk(ctx, g.Owner(), isms.Risk{Title: "Elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LinkRisk(ctx, g.Owner(), r2.ID, "control", c.ID, ""); err == nil {
			t.Fatal("linked a risk to another organisation's control")
		}
	})
}
