package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

func lineOf(t *testing.T, db *store.DB, a isms.Actor, ref string) isms.SoALine {
	t.Helper()
	s, err := db.SoA(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range s.Lines {
		if l.Control.Ref == ref {
			return l
		}
	}
	t.Fatalf("no SoA line %s", ref)
	return isms.SoALine{}
}

func hasWarning(l isms.SoALine, k isms.WarningKind) bool {
	for _, w := range l.Warnings {
		if w.Kind == k {
			return true
		}
	}
	return false
}

// TestSoAWarningsStore makes each warning the store can produce without
// other registers appear and disappear through ordinary edits.
func TestSoAWarningsStore(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		update := func(ref string, fn func(*isms.Control)) {
			t.Helper()
			c := controlByRef(t, db, owner, ref)
			fn(&c)
			if _, err := db.UpdateControl(ctx, owner, c, c.Version); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(ref string, k isms.WarningKind, want bool) {
			t.Helper()
			if got := hasWarning(lineOf(t, db, owner, ref), k); got != want {
				t.Fatalf("%s warning %s: %v, want %v", ref, k, got, want)
			}
		}
		s, _ := db.SoA(ctx, owner)
		if s.Summary.Controls != 93 || s.Summary.Undecided != 93 || s.Today != "2025-06-01" {
			t.Fatalf("fresh SoA summary %+v %s", s.Summary, s.Today)
		}
		expect("A.5.1", isms.WarnUndecided, true)

		// Included without any justification, then justified.
		update("A.5.1", func(c *isms.Control) { c.Decision = isms.DecisionIncluded })
		expect("A.5.1", isms.WarnUndecided, false)
		expect("A.5.1", isms.WarnIncludedUnjustified, true)
		update("A.5.1", func(c *isms.Control) { c.Justification = "Required by our largest customer's contract" })
		expect("A.5.1", isms.WarnIncludedUnjustified, false)

		// Excluded without a reason, then with one.
		update("A.7.4", func(c *isms.Control) { c.Decision = isms.DecisionExcluded })
		expect("A.7.4", isms.WarnExcludedNoReason, true)
		update("A.7.4", func(c *isms.Control) {
			c.ExclusionReason, c.ExclusionText = isms.ExcludedOutOfScope, "We have no premises of our own"
		})
		expect("A.7.4", isms.WarnExcludedNoReason, false)

		// Implemented without evidence; evidence added; evidence expires;
		// evidence renewed.
		update("A.8.13", func(c *isms.Control) {
			c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Backups", isms.StatusImplemented
		})
		expect("A.8.13", isms.WarnImplementedNoEvidence, true)
		c813 := controlByRef(t, db, owner, "A.8.13")
		ev, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Restore test", Kind: isms.EvidenceNote,
			Description: "Restored the file server on 2025-05-01", ValidUntil: "2025-05-31"}, []string{c813.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		expect("A.8.13", isms.WarnImplementedNoEvidence, false)
		expect("A.8.13", isms.WarnEvidenceExpired, true)
		ev.ValidUntil = "2026-05-31"
		if ev, err = db.UpdateEvidence(ctx, owner, ev, ev.Version, nil, nil); err != nil {
			t.Fatal(err)
		}
		expect("A.8.13", isms.WarnEvidenceExpired, false)
		// Archived evidence no longer counts.
		if _, err := db.ArchiveEvidence(ctx, owner, ev.ID, ev.Version, true); err != nil {
			t.Fatal(err)
		}
		expect("A.8.13", isms.WarnImplementedNoEvidence, true)
		if l := lineOf(t, db, owner, "A.8.13"); len(l.Evidence) != 0 {
			t.Fatalf("archived evidence still listed: %+v", l.Evidence)
		}
	})
}

func TestPublishSoA(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, manager := f.Owner(), f.Actors[isms.RoleISMSManager]
		for _, r := range []isms.Role{isms.RoleContributor, isms.RoleAuditor, isms.RoleStaff} {
			if _, err := db.PublishSoA(ctx, f.Actors[r], ""); isms.ErrorKind(err) != isms.KindForbidden {
				t.Fatalf("%s publishing: %v", r, err)
			}
		}
		c := controlByRef(t, db, owner, "A.5.1")
		c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Policy set", isms.StatusPlanned
		if _, err := db.UpdateControl(ctx, owner, c, c.Version); err != nil {
			t.Fatal(err)
		}
		v1, err := db.PublishSoA(ctx, owner, "First approval")
		if err != nil {
			t.Fatal(err)
		}
		if v1.Number != 1 || len(v1.Entries) != 93 || v1.Entries[0].Decision != isms.DecisionIncluded || v1.ApproverRole != isms.RoleOwner {
			t.Fatalf("v1 %+v", v1.Number)
		}
		if _, err := db.PublishSoA(ctx, owner, ""); isms.ErrorKind(err) != isms.KindConflict {
			t.Fatalf("publishing an unchanged SoA: %v", err)
		}
		s, _ := db.SoA(ctx, owner)
		if s.Latest != 1 || s.Changed {
			t.Fatalf("after publishing: latest %d changed %v", s.Latest, s.Changed)
		}
		// A later edit makes a draft.
		c = controlByRef(t, db, owner, "A.5.1")
		c.Status = isms.StatusImplemented
		if _, err := db.UpdateControl(ctx, owner, c, c.Version); err != nil {
			t.Fatal(err)
		}
		c2 := controlByRef(t, db, owner, "A.5.2")
		c2.Decision, c2.ExclusionReason, c2.ExclusionText = isms.DecisionExcluded, isms.ExcludedNotNeeded, "One-person firm"
		if _, err := db.UpdateControl(ctx, owner, c2, c2.Version); err != nil {
			t.Fatal(err)
		}
		if s, _ = db.SoA(ctx, owner); !s.Changed {
			t.Fatal("the draft does not show as changed")
		}
		draft, err := db.CompareSoA(ctx, owner, 1, 0)
		if err != nil || len(draft) != 2 {
			t.Fatalf("draft changes %+v %v", draft, err)
		}
		v2, err := db.PublishSoA(ctx, manager, "")
		if err != nil || v2.Number != 2 || v2.ApproverName == "" {
			t.Fatalf("v2 %+v %v", v2, err)
		}
		changes, err := db.CompareSoA(ctx, f.Actors[isms.RoleAuditor], 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ch := range changes {
			got = append(got, ch.Ref+":"+strings.Join(ch.Fields, "+"))
		}
		if strings.Join(got, " ") != "A.5.1:status A.5.2:decision+justification" {
			t.Fatalf("changes 1→2: %v", got)
		}
		// Version 1 is unchanged by later edits.
		old, err := db.SoAVersion(ctx, owner, 1)
		if err != nil || old.Entries[0].Status != isms.StatusPlanned || old.Note != "First approval" {
			t.Fatalf("v1 reread %+v %v", old.Entries[0], err)
		}
		vs, err := db.SoAVersions(ctx, owner)
		if err != nil || len(vs) != 2 || vs[0].Number != 2 {
			t.Fatalf("versions %d %v", len(vs), err)
		}
		if _, err := db.SoAVersion(ctx, owner, 9); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("missing version: %v", err)
		}
		g := storetest.Seed(t, db, "other")
		if vs, _ := db.SoAVersions(ctx, g.Owner()); len(vs) != 0 {
			t.Fatal("versions leak across organisations")
		}
	})
}
