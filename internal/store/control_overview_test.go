package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/catalog"
	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestControlsOverviewListsAsControls: the controls list read with the SoA
// overview holds the same controls, in the same order and with the same
// total and paging, as the register's list, for every filter the list
// page offers, and refuses what the list refuses.
func TestControlsOverviewListsAsControls(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		g := storetest.Seed(t, db, "other")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		update := func(ref string, fn func(*isms.Control)) {
			t.Helper()
			c := controlByRef(t, db, owner, ref)
			fn(&c)
			if _, err := db.UpdateControl(ctx, owner, c, c.Version); err != nil {
				t.Fatal(err)
			}
		}
		update("A.5.1", func(c *isms.Control) {
			c.Decision, c.Justification, c.Status, c.OwnerID = isms.DecisionIncluded, "Needed", isms.StatusImplemented, contrib.UserID
		})
		update("A.7.5", func(c *isms.Control) {
			c.Decision, c.ExclusionReason, c.ExclusionText, c.Status = isms.DecisionExcluded, isms.ExcludedNotNeeded, "No premises", isms.StatusNotApplicable
		})
		update("A.8.2", func(c *isms.Control) { c.Status, c.NextReview = isms.StatusPartial, "2025-09-01" })
		if _, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "MDM-1"}, Title: "Mobile device management",
			Theme: "Technological", ControlTypes: []string{"Preventive"}, SecurityDomains: []string{"Protection"}, OwnerID: owner.UserID}); err != nil {
			t.Fatal(err)
		}
		gone, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "OLD-1"}, Title: "Retired", Theme: "People"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ArchiveControl(ctx, owner, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateControl(ctx, g.Owner(), isms.Control{Meta: isms.Meta{Ref: "THEIRS-1"}, Title: "Theirs", Theme: "People"}); err != nil {
			t.Fatal(err)
		}

		max := isms.MaxLimit
		queries := []isms.ListQuery{
			{Limit: max}, {Limit: max, Brief: true}, {}, {Limit: 10}, {Limit: 94}, {Limit: 95},
			{Limit: max, Q: "access"}, {Limit: max, Q: "  "}, {Limit: max, Sort: "title"}, {Limit: max, Sort: "ref", Desc: true},
			{Limit: max, Archived: isms.ArchivedInclude}, {Limit: max, Archived: isms.ArchivedOnly},
		}
		filters := []map[string]string{
			{"status": "implemented"}, {"status": "partial"}, {"status": ""}, {"decision": "included"}, {"decision": "excluded"},
			{"decision": "-"}, {"kind": "custom"}, {"kind": "annex_a"}, {"owner_id": owner.UserID}, {"owner_id": contrib.UserID},
			{"owner_id": "-"}, {"theme": "People", "status": "not_started"}, {"control_type": "Preventive", "theme": "Technological"},
			{"review_before": "2026-01-01"}, {"control_type": "Sneaky"}, {"control_type": "-"}, {"colour": "red"},
		}
		for _, th := range catalog.Themes {
			filters = append(filters, map[string]string{"theme": th})
		}
		for _, at := range catalog.Attributes {
			for _, v := range at.Values {
				filters = append(filters, map[string]string{at.Name: v})
			}
		}
		for _, fs := range filters {
			queries = append(queries, isms.ListQuery{Limit: max, Brief: true, Filters: fs})
		}
		type row struct {
			ID, Ref, Title, Theme, OwnerName, NextReview string
			Kind                                         isms.ControlKind
			Status                                       isms.ControlStatus
			Decision                                     isms.Decision
		}
		rows := func(p isms.Page[isms.Control]) []row {
			var out []row
			for _, c := range p.Items {
				out = append(out, row{c.ID, c.Ref, c.Title, c.Theme, c.OwnerName, c.NextReview, c.Kind, c.Status, c.Decision})
			}
			return out
		}
		over, err := db.SoAOverview(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			want, wantErr := db.Controls(ctx, owner, q)
			got, s, err := db.ControlsOverview(ctx, owner, q)
			if (err == nil) != (wantErr == nil) || err != nil && (isms.ErrorKind(err) != isms.ErrorKind(wantErr) || fieldOf(err) != fieldOf(wantErr)) {
				t.Errorf("%+v: error %v, want %v", q, err, wantErr)
				continue
			}
			if err != nil {
				continue
			}
			if !reflect.DeepEqual(rows(got), rows(want)) || got.Total != want.Total || (got.NextCursor == "") != (want.NextCursor == "") {
				t.Errorf("%+v: %d controls (total %d, more %v)\n%v\nwant %d (total %d, more %v)\n%v", q, len(got.Items), got.Total,
					got.NextCursor != "", rows(got), len(want.Items), want.Total, want.NextCursor != "", rows(want))
			}
			if !reflect.DeepEqual(s, over) {
				t.Errorf("%+v: the overview differs from SoAOverview's", q)
			}
		}
		// Grouped by an attribute, the controls come with their attributes.
		p, _, err := db.ControlsOverview(ctx, owner, isms.ListQuery{Limit: max, Filters: map[string]string{"kind": "custom"}})
		if err != nil || len(p.Items) != 1 || !reflect.DeepEqual(p.Items[0].SecurityDomains, []string{"Protection"}) {
			t.Fatalf("custom controls %+v, %v", p.Items, err)
		}
		if _, _, err := db.ControlsOverview(ctx, f.Actors[isms.RoleStaff], isms.ListQuery{Limit: max}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Fatalf("staff reading the controls: %v", err)
		}
	})
}

// TestControlPageMatchesItsParts: a control's page reads the same line,
// outlines, history and members as the separate reads do, whether or not
// the SoA overview is at hand, and the line is the full statement's.
func TestControlPageMatchesItsParts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		c51, c52, c87 := controlByRef(t, db, owner, "A.5.1"), controlByRef(t, db, owner, "A.5.2"), controlByRef(t, db, owner, "A.8.7")
		c51.Decision, c51.Justification, c51.Status = isms.DecisionIncluded, "Needed", isms.StatusImplemented
		if _, err := db.UpdateControl(ctx, owner, c51, c51.Version); err != nil {
			t.Fatal(err)
		}
		evidence := func(title, validUntil string, archive bool, controls ...string) {
			t.Helper()
			e, err := db.CreateEvidence(ctx, owner, isms.Evidence{Title: title, Kind: isms.EvidenceNote, Description: "x", ValidUntil: validUntil}, controls, nil)
			if err != nil {
				t.Fatal(err)
			}
			if archive {
				if _, err := db.ArchiveEvidence(ctx, owner, e.ID, e.Version, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		evidence("Valid policy", "2026-01-01", false, c51.ID)
		evidence("Old pen test", "2025-05-31", false, c51.ID, c87.ID)
		evidence("Standing note", "", false, c51.ID)
		evidence("Odd \x1f title \x1f with separators", "2030-12-31", false, c51.ID)
		evidence("Withdrawn", "2025-01-01", true, c51.ID)
		r, err := db.CreateRisk(ctx, owner, isms.Risk{Title: "Malware"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LinkRisk(ctx, owner, r.ID, "control", c87.ID, ""); err != nil {
			t.Fatal(err)
		}
		custom, err := db.CreateControl(ctx, owner, isms.Control{Meta: isms.Meta{Ref: "OLD-1"}, Title: "Retired", Theme: "People",
			RelatedIDs: []string{"5.1"}})
		if err != nil {
			t.Fatal(err)
		}
		if custom, err = db.ArchiveControl(ctx, owner, custom.ID, custom.Version, true); err != nil {
			t.Fatal(err)
		}

		full, err := db.SoA(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		lineOf := map[string]isms.SoALine{}
		for _, l := range full.Lines {
			lineOf[l.Control.ID] = l
		}
		pages := func() map[string]store.ControlPage {
			t.Helper()
			out := map[string]store.ControlPage{}
			for _, id := range []string{c51.ID, c52.ID, c87.ID, custom.ID} {
				p, err := db.ControlPage(ctx, owner, id)
				if err != nil {
					t.Fatal(err)
				}
				out[id] = p
			}
			return out
		}
		// Right after a change nothing is kept; then each control's line
		// is, and after SoAOverview its overview.
		before := pages()
		kept := before[c51.ID]
		kept.Line.Evidence[0].Title = "changed by a caller"
		kept.Line.Warnings = nil
		kept.Line.Control.RelatedIDs = append(kept.Line.Control.RelatedIDs, "9.9")
		before = pages()
		if !reflect.DeepEqual(before[c51.ID].Line, lineOf[c51.ID]) {
			t.Errorf("a changed copy of a kept line changed the next read: %+v", before[c51.ID].Line)
		}
		if _, err := db.SoAOverview(ctx, owner); err != nil {
			t.Fatal(err)
		}
		after := pages()
		outlines, err := db.ControlOutlines(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		members, err := db.Members(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		for id, p := range after {
			line, err := db.SoALine(ctx, owner, id)
			if err != nil {
				t.Fatal(err)
			}
			want, active := lineOf[id]
			if !active {
				want = line
			}
			if !reflect.DeepEqual(p.Line, want) || !reflect.DeepEqual(before[id].Line, want) || !reflect.DeepEqual(line, want) {
				t.Errorf("%s: line\n%+v\nwithout the overview\n%+v\nSoALine\n%+v\nwant\n%+v", p.Line.Control.Ref, p.Line, before[id].Line, line, want)
			}
			hist, err := db.ControlHistory(ctx, owner, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.History, hist) || !reflect.DeepEqual(p.Outlines, outlines) || !reflect.DeepEqual(p.Members, members) {
				t.Errorf("%s: history, outlines or members differ from the separate reads", p.Line.Control.Ref)
			}
		}
		if l := after[c51.ID].Line; len(l.Evidence) != 4 || l.EvidenceCount != 4 || len(l.Warnings) != 1 || l.Warnings[0].Evidence.Title != "Old pen test" ||
			l.Evidence[3].Title != "Odd \x1f title \x1f with separators" || l.Evidence[3].ValidUntil != "2030-12-31" {
			t.Errorf("A.5.1: evidence %+v, warnings %+v", l.Evidence, l.Warnings)
		}
		if l := after[c87.ID].Line; len(l.Risks) != 1 || l.Risks[0].ID != r.ID {
			t.Errorf("A.8.7 risks %+v", l.Risks)
		}
		if l := after[custom.ID].Line; !l.Control.Archived() || l.Control.Ref != "OLD-1" {
			t.Errorf("archived custom control's line %+v", l.Control)
		}
		// The copy handed out is the caller's own.
		p := after[c51.ID]
		p.Line.Risks = append(p.Line.Risks, isms.RecordRef{Ref: "X"})
		p.Line.Control.RelatedIDs = append(p.Line.Control.RelatedIDs, "9.9")
		if again, err := db.ControlPage(ctx, owner, c51.ID); err != nil || !reflect.DeepEqual(again.Line, lineOf[c51.ID]) {
			t.Errorf("a changed copy changed the next read: %+v, %v", again.Line, err)
		}
		if _, err := db.ControlPage(ctx, owner, "no-such-control"); isms.ErrorKind(err) != isms.KindNotFound {
			t.Errorf("unknown control: %v", err)
		}
		// A kept line follows changes of the records and of the day.
		for _, overview := range []bool{false, true} {
			evidence(fmt.Sprintf("New record, overview kept: %v", overview), "", false, c52.ID)
			if overview {
				if _, err := db.SoAOverview(ctx, owner); err != nil {
					t.Fatal(err)
				}
			}
			p, err := db.ControlPage(ctx, owner, c52.ID)
			if err != nil || p.Line.EvidenceCount != map[bool]int{false: 1, true: 2}[overview] {
				t.Errorf("overview kept %v: A.5.2's evidence after a new piece: %+v, %v", overview, p.Line.Evidence, err)
			}
		}
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }
		if p, err := db.ControlPage(ctx, owner, c51.ID); err != nil || len(p.Line.Warnings) != 2 {
			t.Errorf("a day later, A.5.1 warns of %+v, %v; want two expired pieces", p.Line.Warnings, err)
		}
		if _, err := db.ControlPage(ctx, f.Actors[isms.RoleStaff], c51.ID); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff reading a control: %v", err)
		}
	})
}

// TestSoAPageFollowsPublishing: the SoA page reads the overview and the
// versions as SoAOverview and SoAVersions do, and an approved version is
// on the next view.
func TestSoAPageFollowsPublishing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		check := func(wantVersions int) {
			t.Helper()
			s, vs, err := db.SoAPage(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			over, err := db.SoAOverview(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			list, err := db.SoAVersions(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s, over) || !reflect.DeepEqual(vs, list) || len(vs) != wantVersions || s.Latest != wantVersions {
				t.Errorf("SoAPage: latest %d, %d versions; want %d (SoAVersions %d)", s.Latest, len(vs), wantVersions, len(list))
			}
		}
		check(0)
		check(0) // kept
		if _, err := db.PublishSoA(ctx, owner, "First"); err != nil {
			t.Fatal(err)
		}
		check(1)
		c := controlByRef(t, db, owner, "A.5.1")
		c.Decision, c.Justification = isms.DecisionIncluded, "Needed"
		if _, err := db.UpdateControl(ctx, owner, c, c.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PublishSoA(ctx, owner, "Second"); err != nil {
			t.Fatal(err)
		}
		check(2)
		if _, _, err := db.SoAPage(ctx, f.Actors[isms.RoleStaff]); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff reading the SoA: %v", err)
		}
	})
}

// TestSoATodayFollowsTheTimeZone: the statement is checked against the
// date in the organisation's time zone, and a new zone counts from the
// next view.
func TestSoATodayFollowsTheTimeZone(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 23, 30, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		owner := f.Owner()
		today := func() string {
			t.Helper()
			s, _, err := db.SoAPage(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			return s.Today
		}
		if got := today(); got != "2025-06-02" {
			t.Fatalf("today in London %s, want 2025-06-02", got)
		}
		o, err := db.Org(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		o.TimeZone = "America/New_York"
		if _, err := db.UpdateOrg(ctx, owner, o, o.Version); err != nil {
			t.Fatal(err)
		}
		if got := today(); got != "2025-06-01" {
			t.Fatalf("today in New York %s, want 2025-06-01", got)
		}
	})
}
