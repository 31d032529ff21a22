package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// The trend is counted in SQL; it must show what counting every line of
// each snapshot shows, across criteria versions and unrated risks.
func TestAssessmentTrendMatchesSnapshots(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner, mgr := f.Owner(), f.Actors[isms.RoleISMSManager]
		approvedCriteria(t, db, owner, isms.Preset5x5)
		rating := func(l, c int) isms.Rating { return isms.Rating{Likelihood: l, Consequence: c} }
		add := func(title string, r isms.Rating) isms.Risk {
			t.Helper()
			x, err := db.CreateRisk(ctx, mgr, isms.Risk{Title: title, Inherent: r})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		revise := func(edit func(c *isms.RiskCriteria)) {
			t.Helper()
			d, err := db.ReviseCriteria(ctx, mgr)
			if err != nil {
				t.Fatal(err)
			}
			edit(&d)
			if d, err = db.UpdateCriteriaDraft(ctx, mgr, d, d.Version); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApproveCriteria(ctx, owner, d.ID, d.Version); err != nil {
				t.Fatal(err)
			}
		}
		closeRun := func(date string) isms.Assessment {
			t.Helper()
			x, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: date, Scope: "Whole firm", OtherParticipants: "Jo"})
			if err != nil {
				t.Fatal(err)
			}
			if x, err = db.CloseAssessment(ctx, mgr, x.ID, x.Version); err != nil {
				t.Fatal(err)
			}
			return x
		}

		// Version 1 (5 × 5): one risk at each level, two not rated. The
		// first reference stays unrated until version 2.
		first := add("Rated under version 2 later", isms.Rating{})
		add("Critical", rating(5, 5))
		add("High", rating(4, 4))
		add("Medium", rating(3, 2))
		add("Another medium", rating(2, 3))
		add("Low", rating(1, 1))
		add("Not rated", isms.Rating{})
		run1 := closeRun("2024-03-01")

		// Version 2 renames and recolours High: the same label in another
		// case at the same position, so it shares the bar segment, named
		// after the first line by reference.
		revise(func(c *isms.RiskCriteria) { c.Levels[2].Label, c.Levels[2].Colour = "high", "#ff7f00" })
		first.Inherent = rating(4, 4)
		if _, err := db.UpdateRisk(ctx, mgr, first, first.Version); err != nil {
			t.Fatal(err)
		}
		add("High under version 2", rating(4, 4))
		add("Critical under version 2", rating(5, 5))
		// Version 3 has three levels: its High is a segment of its own.
		revise(func(c *isms.RiskCriteria) {
			three, _ := isms.Preset(isms.Preset3x3)
			three.ID, three.Version = c.ID, c.Version
			*c = three
		})
		add("High under version 3", rating(3, 3))
		add("Low under version 3", rating(1, 1))
		run2 := closeRun("2025-03-01")
		// An archived run and an open one are left out.
		gone := closeRun("2025-06-01")
		if _, err := db.ArchiveAssessment(ctx, mgr, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAssessment(ctx, mgr, isms.Assessment{Date: "2026-01-10", Scope: "Open", OtherParticipants: "Jo"}); err != nil {
			t.Fatal(err)
		}

		trend, err := db.AssessmentTrend(ctx, f.Actors[isms.RoleAuditor])
		if err != nil {
			t.Fatal(err)
		}
		if len(trend) != 2 || trend[0].Run.ID != run1.ID || trend[1].Run.ID != run2.ID {
			t.Fatalf("trend runs: %+v", trend)
		}
		for i, run := range []isms.Assessment{run1, run2} {
			lines, err := db.AssessmentSnapshot(ctx, mgr, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, got := isms.TrendOf(run, lines), trend[i]
			if got.Total != want.Total || got.Unrated != want.Unrated || !reflect.DeepEqual(got.Levels, want.Levels) {
				t.Errorf("%s: trend %+v (%d of %d not rated), counting the lines gives %+v (%d of %d)",
					run.Ref, got.Levels, got.Unrated, got.Total, want.Levels, want.Unrated, want.Total)
			}
		}
		two := trend[1]
		if two.Total != 11 || two.Unrated != 1 || len(two.Levels) != 6 {
			t.Fatalf("second run: %+v", two)
		}
		var merged, own bool
		for _, l := range two.Levels {
			switch {
			case l.Rank == 3 && l.Of == 4:
				merged = l.Label == "high" && l.Colour == "#ff7f00" && l.Count == 3
			case l.Rank == 3 && l.Of == 3:
				own = l.Label == "High" && l.Count == 1
			}
		}
		if !merged || !own {
			t.Fatalf("segments of the second run: %+v", two.Levels)
		}

		// Read a page at a time, the snapshot comes in the same order; the
		// runs listed briefly say how many lines each froze.
		all, err := db.AssessmentSnapshot(ctx, mgr, run2.ID)
		if err != nil {
			t.Fatal(err)
		}
		var paged []isms.SnapshotLine
		for offset := 0; offset < len(all)+4; offset += 4 {
			page, err := db.AssessmentSnapshotPage(ctx, mgr, run2.ID, offset, 4)
			if err != nil || len(page) > 4 {
				t.Fatalf("page at %d: %d lines, %v", offset, len(page), err)
			}
			paged = append(paged, page...)
		}
		// Read again (the pages are kept), and after a caller changed
		// its copy of one, they are the same.
		again, err := db.AssessmentSnapshotPage(ctx, mgr, run2.ID, 0, 4)
		if err != nil || len(again) == 0 {
			t.Fatalf("first page again: %d lines, %v", len(again), err)
		}
		again[0].Title = "changed by a caller"
		for offset := 0; offset < len(all)+4; offset += 4 {
			page, err := db.AssessmentSnapshotPage(ctx, mgr, run2.ID, offset, 4)
			if want := paged[min(offset, len(paged)):min(offset+4, len(paged))]; err != nil || len(page) != len(want) || len(page) > 0 && !reflect.DeepEqual(page, want) {
				t.Fatalf("page at %d read again: %+v, %v", offset, page, err)
			}
		}
		if _, err := db.AssessmentSnapshotPage(ctx, mgr, "no-such-run", 0, 4); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("unknown run read twice: %v", err)
		}
		if !reflect.DeepEqual(paged, all) {
			t.Fatalf("paged snapshot differs:\n%+v\n%+v", paged, all)
		}
		other := storetest.Seed(t, db, "other")
		if _, err := db.AssessmentSnapshotPage(ctx, other.Owner(), run2.ID, 0, 4); isms.ErrorKind(err) != isms.KindNotFound {
			t.Fatalf("another organisation reads a page: %v", err)
		}
		if _, err := db.AssessmentSnapshotPage(ctx, f.Actors[isms.RoleStaff], run2.ID, 0, 4); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff read a page: %v", err)
		}
		runs, err := db.Assessments(ctx, mgr, isms.ListQuery{Brief: true, Archived: isms.ArchivedInclude})
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string]int{}
		for _, x := range runs.Items {
			lines[x.Ref] = x.Lines
		}
		if want := map[string]int{run1.Ref: 7, run2.Ref: 11, gone.Ref: 11, "RA-004": 0}; !reflect.DeepEqual(lines, want) {
			t.Fatalf("lines of the runs listed: %v, want %v", lines, want)
		}
		// A full list and a single run say the same.
		full, err := db.Assessments(ctx, mgr, isms.ListQuery{Archived: isms.ArchivedInclude})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range full.Items {
			if x.Lines != lines[x.Ref] {
				t.Fatalf("%s: %d lines in the full list, %d in the brief one", x.Ref, x.Lines, lines[x.Ref])
			}
			one, err := db.Assessment(ctx, mgr, x.ID)
			if err != nil || one.Lines != lines[x.Ref] {
				t.Fatalf("%s read alone: %d lines, want %d (%v)", x.Ref, one.Lines, lines[x.Ref], err)
			}
		}
	})
}
