package store_test

import (
	"context"
	"reflect"
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
		// The list carries each version's summary as approved, without
		// its entries.
		for i, v := range []isms.SoAVersion{v2, v1} {
			got, want := vs[i], isms.SummarizeEntries(v.Entries)
			if got.Summary != want || v.Summary != want || got.Entries != nil || got.Note != v.Note || got.ApproverName == "" || !got.ApprovedAt.Equal(v.ApprovedAt) {
				t.Fatalf("listed version %d: %+v, want summary %+v", v.Number, got, want)
			}
			if one, err := db.SoAVersion(ctx, owner, v.Number); err != nil || one.Summary != want || len(one.Entries) != 93 {
				t.Fatalf("version %d: summary %+v, %d entries, %v", v.Number, one.Summary, len(one.Entries), err)
			}
		}
		if s := vs[1].Summary; s.Controls != 93 || s.Included != 1 || s.Excluded != 0 || s.Undecided != 92 || s.Implemented != 0 || s.Warnings != 92 {
			t.Fatalf("version 1 summary %+v", s)
		}
		if s := vs[0].Summary; s.Included != 1 || s.Excluded != 1 || s.Undecided != 91 || s.Implemented != 1 {
			t.Fatalf("version 2 summary %+v", s)
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

// TestSoAOverviewMatchesSoA: the overview the SoA page shows has the same
// lines, warnings, summary and comparison with the latest version as the
// full statement the exports and the API use; only its evidence is
// counted rather than listed (expired pieces, which the warnings name,
// are still listed). Archived evidence and risks count in neither, and
// nothing of another organisation does.
func TestSoAOverviewMatchesSoA(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		g := storetest.Seed(t, db, "other")
		owner := f.Owner()
		update := func(ref string, fn func(*isms.Control)) isms.Control {
			t.Helper()
			c := controlByRef(t, db, owner, ref)
			fn(&c)
			c, err := db.UpdateControl(ctx, owner, c, c.Version)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		implemented := func(c *isms.Control) {
			c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Needed", isms.StatusImplemented
		}
		c51, c52, c53 := update("A.5.1", implemented), update("A.5.2", implemented), update("A.5.3", implemented)
		evidence := func(title, validUntil string, controls ...isms.Control) isms.Evidence {
			t.Helper()
			var ids []string
			for _, c := range controls {
				ids = append(ids, c.ID)
			}
			e, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: title, Kind: isms.EvidenceNote, Description: "x", ValidUntil: validUntil}, ids, nil)
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		// A.5.1: valid, open-ended, expired (shared with A.5.2), and an
		// archived expired piece. A.5.2: the shared expired piece and an
		// archived one. A.5.3: only an archived piece.
		evidence("Valid policy", "2026-01-01", c51)
		evidence("Standing note", "", c51)
		expired := evidence("Old pen test", "2025-05-31", c51, c52)
		evidence("Expires today", "2025-06-01", c52)
		for _, c := range []isms.Control{c51, c52, c53} {
			e := evidence("Withdrawn for "+c.Ref, "2025-01-01", c)
			if _, err := db.ArchiveEvidence(ctx, owner, e.ID, e.Version, true); err != nil {
				t.Fatal(err)
			}
		}
		// A risk justifies A.8.7 and an archived one A.8.8, which is
		// excluded.
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Malware"})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Retired"})
		if err != nil {
			t.Fatal(err)
		}
		c87 := update("A.8.7", func(c *isms.Control) { c.Decision = isms.DecisionIncluded })
		c88 := update("A.8.8", func(c *isms.Control) {
			c.Decision, c.ExclusionReason, c.ExclusionText = isms.DecisionExcluded, isms.ExcludedNotNeeded, "No software of our own"
		})
		for _, l := range []struct{ risk, control string }{{r.ID, c87.ID}, {gone.ID, c88.ID}, {gone.ID, c87.ID}} {
			if err := db.LinkRisk(ctx, owner, l.risk, "control", l.control, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ArchiveRisk(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		// Another organisation's evidence on its own A.5.3.
		o53 := controlByRef(t, db, g.Owner(), "A.5.3")
		if _, err := db.CreateEvidence(ctx, g.Owner(), isms.Evidence{Title: "Theirs", Kind: isms.EvidenceNote, Description: "x", ValidUntil: "2020-01-01"},
			[]string{o53.ID}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PublishSoA(ctx, owner, ""); err != nil {
			t.Fatal(err)
		}

		full, err := db.SoA(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		over, err := db.SoAOverview(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		byRef := map[string]isms.SoALine{}
		for _, l := range full.Lines {
			byRef[l.Control.Ref] = l
		}
		titles := func(es []isms.EvidenceRef) string {
			var out []string
			for _, e := range es {
				out = append(out, e.Title)
			}
			return strings.Join(out, ", ")
		}
		for ref, want := range map[string]struct {
			evidence string
			warnings []isms.WarningKind
		}{
			"A.5.1": {"Valid policy, Standing note, Old pen test", []isms.WarningKind{isms.WarnEvidenceExpired}},
			"A.5.2": {"Old pen test, Expires today", []isms.WarningKind{isms.WarnEvidenceExpired}},
			"A.5.3": {"", []isms.WarningKind{isms.WarnImplementedNoEvidence}},
			"A.8.7": {"", nil},
			"A.8.8": {"", nil},
		} {
			l := byRef[ref]
			if got := titles(l.Evidence); got != want.evidence || l.EvidenceCount != len(l.Evidence) {
				t.Errorf("%s evidence %q (count %d), want %q", ref, got, l.EvidenceCount, want.evidence)
			}
			var kinds []isms.WarningKind
			for _, w := range l.Warnings {
				kinds = append(kinds, w.Kind)
			}
			if !reflect.DeepEqual(kinds, want.warnings) {
				t.Errorf("%s warnings %v, want %v", ref, kinds, want.warnings)
			}
		}
		if l := byRef["A.5.1"]; l.Warnings[0].Evidence == nil || l.Warnings[0].Evidence.ID != expired.ID {
			t.Errorf("A.5.1's expiry warning names %+v, want %s", l.Warnings[0].Evidence, expired.Ref)
		}
		if l := byRef["A.8.7"]; len(l.Risks) != 1 || l.Risks[0].ID != r.ID {
			t.Errorf("A.8.7 risks %+v, want only %s", l.Risks, r.Ref)
		}

		if over.Summary != full.Summary || over.Today != full.Today || over.Latest != 1 || full.Latest != 1 || over.Changed || full.Changed {
			t.Fatalf("overview %+v %s v%d changed=%v; full %+v %s v%d changed=%v", over.Summary, over.Today, over.Latest, over.Changed,
				full.Summary, full.Today, full.Latest, full.Changed)
		}
		if len(over.Lines) != len(full.Lines) {
			t.Fatalf("%d overview lines, %d full", len(over.Lines), len(full.Lines))
		}
		for i, fl := range full.Lines {
			ol := over.Lines[i]
			var expiredOnly []isms.EvidenceRef
			for _, e := range fl.Evidence {
				if e.ValidUntil != "" && e.ValidUntil < full.Today {
					expiredOnly = append(expiredOnly, e)
				}
			}
			if !reflect.DeepEqual(ol.Evidence, expiredOnly) || ol.EvidenceCount != len(fl.Evidence) {
				t.Errorf("%s overview evidence %v (count %d), want %v (count %d)", fl.Control.Ref, ol.Evidence, ol.EvidenceCount, expiredOnly, len(fl.Evidence))
			}
			ol.Evidence, fl.Evidence = nil, nil
			if !reflect.DeepEqual(ol, fl) {
				t.Errorf("%s overview line\n%+v\nwant\n%+v", fl.Control.Ref, ol, fl)
			}
			// A control's own line is the full statement's.
			if fl.Control.Ref == "A.5.1" || fl.Control.Ref == "A.8.7" {
				one, err := db.SoALine(ctx, owner, fl.Control.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := byRef[fl.Control.Ref]
				if !reflect.DeepEqual(one, want) {
					t.Errorf("SoALine(%s)\n%+v\nwant\n%+v", fl.Control.Ref, one, want)
				}
			}
		}

		// The other organisation's statement holds only its own evidence.
		theirs, err := db.SoAOverview(ctx, g.Owner())
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range theirs.Lines {
			if n := l.EvidenceCount; (l.Control.Ref == "A.5.3") != (n == 1) || (n == 1 && len(l.Evidence) != 1) {
				t.Errorf("other org's %s: %d evidence, %v", l.Control.Ref, n, l.Evidence)
			}
		}
	})
}

// TestSoAOverviewFollowsChanges: the overview is kept between views, and
// every change that bears on it (a decision, evidence linked or archived,
// an approved version, the date) is in the next one.
func TestSoAOverviewFollowsChanges(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		line := func(ref string) (isms.SoALine, store.SoA) {
			t.Helper()
			s, err := db.SoAOverview(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range s.Lines {
				if l.Control.Ref == ref {
					return l, s
				}
			}
			t.Fatalf("no line %s", ref)
			return isms.SoALine{}, s
		}
		if l, _ := line("A.5.1"); l.Control.Decision != "" || l.EvidenceCount != 0 {
			t.Fatalf("fresh line %+v", l)
		}
		c := controlByRef(t, db, owner, "A.5.1")
		c.Decision, c.Justification, c.Status = isms.DecisionIncluded, "Needed", isms.StatusImplemented
		c, err := db.UpdateControl(ctx, owner, c, c.Version)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := line("A.5.1")
		if l.Control.Decision != isms.DecisionIncluded || !hasWarning(l, isms.WarnImplementedNoEvidence) {
			t.Fatalf("after the decision: %+v", l)
		}
		e, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: "Policy", Kind: isms.EvidenceNote, Description: "x", ValidUntil: "2025-06-10"}, []string{c.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l, _ := line("A.5.1"); l.EvidenceCount != 1 || hasWarning(l, isms.WarnImplementedNoEvidence) {
			t.Fatalf("after evidence: %+v", l)
		}
		// Ten days on, nothing written: the evidence has expired.
		day = day.AddDate(0, 0, 10)
		if l, _ := line("A.5.1"); !hasWarning(l, isms.WarnEvidenceExpired) {
			t.Fatalf("evidence past its date is not flagged: %+v", l.Warnings)
		}
		if _, err := db.ArchiveEvidence(ctx, owner, e.ID, e.Version, true); err != nil {
			t.Fatal(err)
		}
		if l, _ := line("A.5.1"); l.EvidenceCount != 0 {
			t.Fatalf("archived evidence still counted: %+v", l)
		}
		if _, s := line("A.5.1"); s.Latest != 0 {
			t.Fatalf("latest version %d before any", s.Latest)
		}
		if _, err := db.PublishSoA(ctx, owner, "First"); err != nil {
			t.Fatal(err)
		}
		if _, s := line("A.5.1"); s.Latest != 1 || s.Changed {
			t.Fatalf("after approval: latest %d, changed %v", s.Latest, s.Changed)
		}
	})
}
