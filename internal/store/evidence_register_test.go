package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/holdfast-isms/holdfast/internal/isms"
	"github.com/holdfast-isms/holdfast/internal/store"
	"github.com/holdfast-isms/holdfast/internal/storetest"
)

// TestEvidenceRegister checks what the evidence list page reads in one go:
// the same page of evidence as EvidenceList, in reference order, with the
// title, kind, owner, dates and archived mark each row shows, and the
// counts of active evidence that has expired and that expires soon,
// whichever expiry filter is chosen.
func TestEvidenceRegister(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
		f := storetest.Seed(t, db, "acme")
		owner, contrib := f.Owner(), f.Actors[isms.RoleContributor]
		add := func(e isms.Evidence) isms.Evidence {
			t.Helper()
			e, err := db.CreateEvidence(ctx, owner, e, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		pen := add(isms.Evidence{Title: "Pen test report", Kind: isms.EvidenceNote, Description: "Findings", OwnerID: contrib.UserID,
			CollectedOn: "2024-05-01", ValidUntil: "2025-05-01"})
		add(isms.Evidence{Title: "Training log", Kind: isms.EvidenceLink, URL: "https://lms.example.com/log", ValidUntil: "2025-06-20"})
		add(isms.Evidence{Title: "Policy", Kind: isms.EvidenceNote, Description: "No end"})
		scan := add(isms.Evidence{Title: "Firewall review", Kind: isms.EvidenceLink, URL: "https://fw.example.com", ValidUntil: "2025-01-31"})
		old := add(isms.Evidence{Title: "Old scan", Kind: isms.EvidenceNote, Description: "Gone", ValidUntil: "2024-01-01"})
		if _, err := db.ArchiveEvidence(ctx, owner, old.ID, old.Version, true); err != nil {
			t.Fatal(err)
		}

		titles := func(p isms.Page[isms.Evidence]) []string {
			var out []string
			for _, e := range p.Items {
				out = append(out, e.Ref+" "+e.Title)
			}
			return out
		}
		for _, c := range []struct {
			expiry   string
			archived isms.ArchivedFilter
			want     []string
		}{
			{"", "", []string{"E-001 Pen test report", "E-002 Training log", "E-003 Policy", "E-004 Firewall review"}},
			{store.ExpiryExpired, "", []string{"E-001 Pen test report", "E-004 Firewall review"}},
			{store.ExpirySoon, "", []string{"E-002 Training log"}},
			{store.ExpiryExpired, isms.ArchivedOnly, []string{"E-005 Old scan"}},
		} {
			q := isms.ListQuery{Filters: map[string]string{"expiry": c.expiry}, Archived: c.archived, Brief: true}
			page, expired, soon, err := db.EvidenceRegister(ctx, owner, q)
			if err != nil {
				t.Fatalf("%s %s: %v", c.expiry, c.archived, err)
			}
			if got := titles(page); !slices.Equal(got, c.want) || page.Total != len(c.want) {
				t.Errorf("%s %s: %v (total %d), want %v", c.expiry, c.archived, got, page.Total, c.want)
			}
			if expired != 2 || soon != 1 {
				t.Errorf("%s %s: %d expired, %d soon; want 2 and 1", c.expiry, c.archived, expired, soon)
			}
			alone, err := db.EvidenceList(ctx, owner, q)
			if err != nil || !slices.Equal(titles(alone), titles(page)) {
				t.Errorf("%s %s: EvidenceList gives %v (%v)", c.expiry, c.archived, titles(alone), err)
			}
		}

		// A row carries what the list shows of it.
		page, _, _, err := db.EvidenceRegister(ctx, owner, isms.ListQuery{Filters: map[string]string{"expiry": store.ExpiryExpired}, Brief: true})
		if err != nil {
			t.Fatal(err)
		}
		got := page.Items[0]
		if got.ID != pen.ID || got.Kind != isms.EvidenceNote || got.OwnerName != f.Users[isms.RoleContributor].Name ||
			got.CollectedOn != "2024-05-01" || got.ValidUntil != "2025-05-01" || got.Archived() {
			t.Errorf("expired row %+v", got)
		}
		if got := page.Items[1]; got.ID != scan.ID || got.Kind != isms.EvidenceLink || got.OwnerName != "" || got.ValidUntil != "2025-01-31" {
			t.Errorf("expired row %+v", got)
		}
		archived, _, _, err := db.EvidenceRegister(ctx, owner, isms.ListQuery{Archived: isms.ArchivedOnly, Brief: true})
		if err != nil || len(archived.Items) != 1 || !archived.Items[0].Archived() {
			t.Errorf("archived rows %+v %v", archived.Items, err)
		}

		if _, _, _, err := db.EvidenceRegister(ctx, f.Actors[isms.RoleStaff], isms.ListQuery{}); isms.ErrorKind(err) != isms.KindForbidden {
			t.Errorf("staff reading the evidence list: %v", err)
		}
		if _, _, _, err := db.EvidenceRegister(ctx, owner, isms.ListQuery{Filters: map[string]string{"expiry": "someday"}}); fieldOf(err) != "expiry" {
			t.Errorf("bad expiry filter: %v", err)
		}
	})
}
